package dev.rainbarrel.agent.instrumentation.weave;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What the test advice saw; loaded once, by the test's own loader, shared with the child loader. */
public final class WeaveLog {
  public static final List<String> CALLS = new CopyOnWriteArrayList<>();

  private WeaveLog() {}

  /** Stands in for {@code Bridge.adviceFailed} (which would turn recording off for the whole test JVM). */
  public static void adviceFailed(Throwable t) {
    CALLS.add("suppressed " + t.getMessage());
  }
}
