package dev.rainbarrel.agent;

import dev.rainbarrel.agent.instrumentation.Instrumentations;
import dev.rainbarrel.bootstrap.Bridge;
import dev.rainbarrel.shm.Barrel;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts the agent once the bridge is on the bootstrap class path: options, the {@link Recorder},
 * the bridge's sink, then the instrumentation. Loaded only after {@link BootstrapJar} ran.
 */
public final class Installer {

  private static volatile Recorder recorder;

  private Installer() {}

  /** The active recorder (null while the agent is off): where the other agent parts find the Barrel. */
  public static Recorder recorder() {
    return recorder;
  }

  static void install(String args, Instrumentation inst, boolean dynamic, StartupClock clock) throws Exception {
    AgentOptions options = AgentOptions.parse(args);
    for (String problem : options.problems()) {
      AgentLog.error(problem);
    }
    if (Bridge.installed()) {
      AgentLog.error("the agent is already active in this JVM; this " + (dynamic ? "attach" : "load") + " does nothing");
      return;
    }
    long pid = ProcessHandle.current().pid();
    Path path = options.barrelPath(pid, Barrel.defaultPath(pid));
    Recorder r;
    try {
      r = Recorder.open(path);
    } catch (Exception e) {
      Path fallback = Barrel.defaultPath(pid);
      if (path.equals(fallback)) {
        AgentLog.error("cannot open " + path + " (" + e.getMessage() + "); the agent stays off");
        return;
      }
      AgentLog.error("cannot open " + path + " (" + e.getMessage() + "); using " + fallback);
      try {
        r = Recorder.open(fallback);
      } catch (Exception e2) {
        AgentLog.error("cannot open " + fallback + " (" + e2.getMessage() + "); the agent stays off");
        return;
      }
    }
    if (!Bridge.install(FaultInjection.wrapIfRequested(r))) {
      AgentLog.error("the agent is already active in this JVM; this load does nothing");
      r.barrel().close();
      return;
    }
    recorder = r;
    clock.mark("recorder");
    AutoCloseable services;
    if (dynamic) { // attach: the hooks are in when the attach returns
      List<String> hooks = Instrumentations.install(inst, options.servers());
      clock.mark("instrumentation");
      services = AgentServices.start(options, r, inst, hooks, null);
      clock.mark("services");
    } else { // premain: the hooks and services go beside main; StartGate holds the first listener
      services = BackgroundStart.start(options, r, inst);
      clock.mark("background");
    }
    Recorder active = r;
    Path file = active.barrel().path();
    boolean defaultFile = file.equals(Barrel.defaultPath(pid).toAbsolutePath());
    Thread shutdown = new Thread(() -> {
      try {
        services.close();
      } catch (Exception ignored) {
        // the JVM is exiting: nothing useful to do
      }
      if (defaultFile) {
        // a per-process file dies with its process, as hsperfdata does; a stable file= path stays
        try {
          // (unlinking is enough: the mappings of threads still running stay valid)
          java.nio.file.Files.deleteIfExists(file);
        } catch (Exception ignored) {
          // the JVM is exiting: nothing useful to do
        }
      }
    }, "rainbarrel-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
  }
}
