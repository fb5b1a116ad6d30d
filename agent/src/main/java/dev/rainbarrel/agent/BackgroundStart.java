package dev.rainbarrel.agent;

import dev.rainbarrel.agent.instrumentation.Instrumentations;
import dev.rainbarrel.shm.SecureFiles;
import dev.rainbarrel.shm.StaleBarrels;
import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * The part of premain that runs beside the host's {@code main}, on the daemon thread {@code
 * rainbarrel-start}: putting the bridge on the bootstrap class path ({@link BootstrapJar}), opening the Barrel, installing the hooks and {@code accept_wait}, then - once the host's own
 * start-up has settled ({@link QuietPeriod}) - the other {@link AgentServices}. The {@link
 * StartGate} keeps the host's listeners from opening until the hooks and {@code accept_wait} are in.
 * When {@code http=} or {@code jolokia=} asks for an endpoint, the services start right then instead
 * of waiting for the host to settle. Closing before the services are up closes them as soon as they
 * are.
 */
final class BackgroundStart implements Runnable, AutoCloseable {
  private final AgentOptions options;
  private final Instrumentation inst;
  private final StartGate gate;
  private final QuietPeriod quiet;
  private AgentServices services;
  private boolean closed;

  private BackgroundStart(AgentOptions options, Instrumentation inst, StartGate gate, QuietPeriod quiet) {
    this.options = options;
    this.inst = inst;
    this.gate = gate;
    this.quiet = quiet;
  }

  /** Registers the gate and starts {@code rainbarrel-start}. */
  static BackgroundStart start(AgentOptions options, Instrumentation inst) {
    StartGate gate = StartGate.register(inst);
    QuietPeriod quiet = QuietPeriod.register(inst);
    BackgroundStart b = new BackgroundStart(options, inst, gate, quiet);
    ShutdownCleanup.register(b);
    Thread t = new Thread(b, "rainbarrel-start"); // a Runnable, not a lambda: the first lambda costs a bootstrap
    t.setDaemon(true);
    gate.passing(t);
    try {
      t.start();
    } catch (Throwable e) {
      gate.open();
      throw e;
    }
    return b;
  }

  @Override
  public void run() {
    StartupClock clock = new StartupClock();
    boolean endpoints = options.http() != null || options.jolokia() != null;
    try {
      // before anything that calls the bridge; no woven class runs advice before the hooks below
      try {
        BootstrapJar.install(inst);
      } catch (Throwable t) {
        AgentLog.error("agent not started: " + t);
        return; // the gate opens below
      }
      clock.mark("bootstrap");
      Recorder recorder;
      synchronized (BackgroundStart.class) { // -javaagent given twice: the second load opens no file
        if (Installer.alreadyActive(false)) {
          return; // the gate opens below
        }
        recorder = Installer.openRecorder(options);
      }
      if (recorder == null) {
        return; // the reason was printed; the gate opens below
      }
      clock.mark("recorder");
      List<String> hooks;
      try {
        hooks = Instrumentations.install(inst, options.servers());
      } catch (Throwable t) {
        AgentLog.error("hooks not installed (" + t + "); counting is off, the other parts start");
        hooks = List.of();
      }
      clock.mark("instrumentation");
      // accept_wait too must see the host's first connection
      Object acceptWait = AgentServices.startAcceptWait(recorder, inst);
      clock.mark("accept_wait");
      // Hooks and accept_wait are in: nothing the host accepts from now on is missed. The gate must
      // open before the services start even when they open an endpoint: a host thread held here is
      // in the middle of loading a listener class, which the endpoint needs too, and would wait for
      // the gate while the gate waited for the endpoint (30 s, until the gate gave up).
      gate.open();
      if (!endpoints) {
        // the services only read the counters: they start when the host's own start-up settled
        quiet.awaitSettled();
        clock.mark("waiting for the host to settle");
      } else {
        quiet.close(); // an endpoint is asked for: it comes up now, usually before the host's listener
      }
      AgentServices s;
      synchronized (this) {
        if (closed) {
          return;
        }
      }
      s = AgentServices.start(options, recorder, inst, hooks, acceptWait);
      boolean closeNow;
      synchronized (this) {
        closeNow = closed;
        if (!closeNow) {
          services = s;
        }
      }
      if (closeNow) {
        s.close();
      }
      clock.mark("services");
      int swept = sweepStaleFiles();
      clock.mark("stale files");
      clock.report("background start", "; the host's listener waited " + gate.heldMillis() + " ms; hooks' transformer: "
          + Instrumentations.transformerCost() + "; stale per-process files removed: " + swept);
    } catch (Throwable t) { // each part reports its own failures; this is the unexpected rest
      AgentLog.error("agent start failed: " + t);
    } finally {
      gate.open();
      quiet.close();
    }
  }

  /**
   * Removes the per-process files of JVMs that were killed with SIGKILL or crashed (they run no
   * shutdown hook), as HotSpot does for {@code hsperfdata}; see {@link StaleBarrels} for what makes a
   * file stale. Last in the start, once the host has settled: it is housekeeping.
   */
  private static int sweepStaleFiles() {
    try {
      return StaleBarrels.sweep(SecureFiles.defaultDirectory()).size();
    } catch (Throwable t) {
      return 0; // never worth a line: the files stay as they were
    }
  }

  @Override
  public void close() {
    AgentServices s;
    synchronized (this) {
      closed = true;
      s = services;
    }
    if (s != null) {
      s.close();
    }
  }
}
