package dev.rainbarrel.arena;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Named points inside the arena protocol where a test can freeze a process, to kill it there
 * with {@code kill -9} and prove the survivors recover.
 *
 * <p>Off unless the system property {@code rainbarrel.arena.pauseAt} names a point, optionally
 * with the hit to stop at ({@code bump-claimed:3} stops at the third pass); then the thread
 * that reaches it prints {@code rainbarrel-fault-point <name>} on standard output and
 * parks for at most {@value #PARK_SECONDS} seconds (never forever). The property is read once, so
 * the check is a constant the JIT folds away in production.
 */
final class FaultPoint {

  static final String BUMP_CLAIMED = "bump-claimed";
  static final String FREELIST_CLAIMED = "freelist-claimed";
  static final String FREELIST_MARKED = "freelist-marked";
  static final String RETURN_MARKED = "return-marked";
  static final String REGION_TAIL_PUBLISHED = "region-tail-published";

  private static final String PROPERTY = System.getProperty("rainbarrel.arena.pauseAt");
  private static final String PAUSE_AT = PROPERTY == null ? null : PROPERTY.split(":")[0];
  private static final int HIT = PROPERTY == null || !PROPERTY.contains(":") ? 1
      : Integer.parseInt(PROPERTY.substring(PROPERTY.indexOf(':') + 1));
  private static final long PARK_SECONDS = 120;
  private static final java.util.concurrent.atomic.AtomicInteger HITS = new java.util.concurrent.atomic.AtomicInteger();

  private FaultPoint() {}

  static void reach(String name) {
    if (PAUSE_AT != null && PAUSE_AT.equals(name) && HITS.incrementAndGet() == HIT) {
      System.out.println("rainbarrel-fault-point " + name);
      System.out.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PARK_SECONDS);
      while (System.nanoTime() < deadline) {
        LockSupport.parkNanos(deadline - System.nanoTime());
      }
    }
  }
}
