package dev.rainbarrel.it.apps;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Holds requests in a handler until the test calls {@code /release} (bounded: 20 s at most). The
 * test sends one {@code /release} per holding request, so every such request must take one, also
 * when it failed before it got to {@link #await} (a permit left over lets a later held request
 * of the same app through at once, and the scenario that holds it fails).
 */
public final class Gate {

  private static final Semaphore PERMITS = new Semaphore(0);

  private Gate() {}

  /** Blocks until released or 20 s passed. */
  public static void await() throws InterruptedException {
    PERMITS.tryAcquire(20, TimeUnit.SECONDS);
  }

  /**
   * {@link #await} for a holding request that failed before it got there: takes the release the
   * test sends for it.
   */
  public static void awaitAfterFailure() {
    try {
      await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Lets one held request continue. */
  public static void release() {
    PERMITS.release();
  }
}
