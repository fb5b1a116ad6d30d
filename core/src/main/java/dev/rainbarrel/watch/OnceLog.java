package dev.rainbarrel.watch;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports each kind of error once on stderr and counts the rest. Deliberately not
 * java.util.logging: touching JUL in a premain breaks containers that install their own
 * LogManager later (WildFly).
 */
final class OnceLog {
  private static final int MAX_KINDS = 64;
  private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();

  /** Counts one error of {@code kind}; prints it if it is the first of its kind. */
  void report(String kind, Throwable error) {
    total.incrementAndGet();
    AtomicLong c = counts.get(kind);
    if (c == null) {
      if (counts.size() >= MAX_KINDS) {
        kind = "other";
      }
      c = counts.computeIfAbsent(kind, k -> new AtomicLong());
    }
    if (c.getAndIncrement() == 0) {
      String msg = error == null ? "" : ": " + error;
      System.err.println("rainbarrel: watcher: " + kind + msg
          + " (further errors of this kind are counted, not printed)");
    }
  }

  long total() {
    return total.get();
  }

  long count(String kind) {
    AtomicLong c = counts.get(kind);
    return c == null ? 0 : c.get();
  }
}
