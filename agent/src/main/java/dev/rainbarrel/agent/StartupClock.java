package dev.rainbarrel.agent;

/**
 * Times the agent's start-up steps for {@code -Drainbarrel.debug.startup=true}: then premain ends
 * with one line {@code rainbarrel: premain took N ms (background Z)} on
 * stderr, and the {@code rainbarrel-start} thread adds {@code rainbarrel: background start took N ms
 * (bootstrap B, recorder R, instrumentation X, ..., services Y; the host's listener waited
 * Z ms)} (on attach: {@code agentmain took N ms (bootstrap, recorder,
 * instrumentation, services)}). Without the property it prints nothing; the clock reads are a few
 * {@code System.nanoTime()} calls.
 */
final class StartupClock {
  /** The system property that switches the report on. */
  static final String PROPERTY = "rainbarrel.debug.startup";

  private final boolean enabled = enabled();
  private final long start = System.nanoTime();
  private final StringBuilder steps = new StringBuilder();
  private long last = start;
  private long lastCpu = enabled ? threadCpuNanos() : -1;

  /**
   * Ends the step {@code name} now (steps are reported in the order they were marked). With the
   * report on, a step also shows the CPU time this thread spent in it, where Linux tells it ({@code
   * recorder 215 ms cpu 120}): on a machine whose cores the starting host keeps busy, the agent's
   * CPU, not its wall time, is what the host's start-up pays for.
   */
  void mark(String name) {
    long now = System.nanoTime();
    if (steps.length() > 0) {
      steps.append(", ");
    }
    steps.append(name).append(' ').append(millis(now - last));
    last = now;
    if (lastCpu >= 0) {
      long cpu = threadCpuNanos();
      if (cpu >= 0) {
        steps.append(" cpu ").append(millis(cpu - lastCpu));
      }
      lastCpu = cpu;
    }
  }

  /**
   * The calling thread's CPU time so far in ns (first field of {@code /proc/thread-self/schedstat}),
   * or -1 where that file does not exist. Read with {@code java.io} only, which the JVM has loaded
   * already, so that timing does not load classes of its own. The file shows the runtime as of the
   * thread's last scheduler tick (up to 4 ms stale for a thread that never blocks); a yield first
   * brings it up to date, as the watcher's {@code ThreadCpuClock} does.
   */
  static long threadCpuNanos() {
    Thread.yield();
    try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/thread-self/schedstat")) {
      byte[] b = new byte[64];
      int n = in.read(b);
      long v = 0;
      int i = 0;
      for (; i < n && b[i] >= '0' && b[i] <= '9'; i++) {
        v = v * 10 + (b[i] - '0');
      }
      return i > 0 ? v : -1;
    } catch (java.io.IOException | SecurityException e) {
      return -1;
    }
  }

  /** Prints the premain line if the property is set. */
  void report(String what) {
    report(what, "");
  }

  /** Prints {@code what took N ms (steps<extra>)} if the property is set. */
  void report(String what, String extra) {
    if (enabled) {
      AgentLog.error(what + " took " + millis(System.nanoTime() - start) + " ms (" + steps + extra + ")");
    }
  }

  /** Whether {@code -Drainbarrel.debug.startup=true} was given. */
  static boolean enabled() {
    try {
      return Boolean.getBoolean(PROPERTY);
    } catch (SecurityException e) {
      return false;
    }
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }
}
