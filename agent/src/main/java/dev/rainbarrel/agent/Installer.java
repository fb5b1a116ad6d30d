package dev.rainbarrel.agent;

import dev.rainbarrel.agent.instrumentation.Instrumentations;
import dev.rainbarrel.bootstrap.Bridge;
import dev.rainbarrel.shm.Barrel;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts the agent: the {@link Recorder}, the bridge's sink, then the instrumentation. Loaded only
 * after {@link BootstrapJar} has put the bridge on the bootstrap class path (on attach right
 * before {@link #attach}, for {@code -javaagent} first thing on {@link BackgroundStart}'s
 * thread): verifying this class loads the bridge's {@code Sink}, and loaded any earlier the
 * application class loader would define its own, unconnected copy.
 */
public final class Installer {

  private static volatile Recorder recorder;

  private Installer() {}

  /** The active recorder (null while the agent is off): where the other agent parts find the Barrel. */
  public static Recorder recorder() {
    return recorder;
  }

  /** Attach: the bridge is already on the bootstrap class path; the hooks are in when the attach returns. */
  static void attach(AgentOptions options, Instrumentation inst, StartupClock clock) throws Exception {
    if (alreadyActive(true)) {
      return;
    }
    Recorder r = openRecorder(options);
    if (r == null) {
      return;
    }
    clock.mark("recorder");
    List<String> hooks = Instrumentations.install(inst, options.servers());
    clock.mark("instrumentation");
    AutoCloseable services = AgentServices.start(options, r, inst, hooks, null);
    clock.mark("services");
    ShutdownCleanup.register(services);
  }

  /** True (after one line on stderr) when an earlier load of the agent is recording in this JVM. */
  static boolean alreadyActive(boolean dynamic) {
    if (Bridge.installed()) {
      AgentLog.error("the agent is already active in this JVM; this " + (dynamic ? "attach" : "load") + " does nothing");
      return true;
    }
    return false;
  }

  /**
   * Opens the Barrel (falling back to the per-pid default file) and connects it to the bridge.
   *
   * @return the recorder, or null when the agent stays off (the reason was printed)
   */
  static Recorder openRecorder(AgentOptions options) {
    long pid = ProcessHandle.current().pid();
    Path path = options.barrelPath(pid, Barrel.defaultPath(pid));
    Recorder r;
    try {
      r = open(path);
    } catch (Exception e) {
      Path fallback = Barrel.defaultPath(pid);
      if (path.equals(fallback)) {
        AgentLog.error("cannot open " + path + " (" + e.getMessage() + "); the agent stays off");
        return null;
      }
      AgentLog.error("cannot open " + path + " (" + e.getMessage() + "); using " + fallback);
      try {
        r = open(fallback);
      } catch (Exception e2) {
        AgentLog.error("cannot open " + fallback + " (" + e2.getMessage() + "); the agent stays off");
        return null;
      }
    }
    r.ignoreConnectionsTo(AgentServices.endpointPorts(options)); // before the bridge sees any accept
    if (!Bridge.install(FaultInjection.wrapIfRequested(r))) {
      AgentLog.error("the agent is already active in this JVM; this load does nothing");
      try {
        r.barrel().close();
      } catch (java.io.IOException ignored) {
        // ours was never used: nothing to lose
      }
      return null;
    }
    recorder = r;
    return r;
  }

  /** Opens a recorder; a per-process file goes at exit, also one the JVM exits while opening. */
  private static Recorder open(Path path) throws java.io.IOException {
    ShutdownCleanup.opening(path);
    try {
      return Recorder.open(path);
    } finally {
      ShutdownCleanup.opened();
    }
  }
}
