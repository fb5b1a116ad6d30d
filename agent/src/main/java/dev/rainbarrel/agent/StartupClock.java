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

  private final long start = System.nanoTime();
  private final StringBuilder steps = new StringBuilder();
  private long last = start;

  /** Ends the step {@code name} now (steps are reported in the order they were marked). */
  void mark(String name) {
    long now = System.nanoTime();
    if (steps.length() > 0) {
      steps.append(", ");
    }
    steps.append(name).append(' ').append(millis(now - last));
    last = now;
  }

  /** Prints the premain line if the property is set. */
  void report(String what) {
    report(what, "");
  }

  /** Prints {@code what took N ms (steps<extra>)} if the property is set. */
  void report(String what, String extra) {
    if (enabled()) {
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
