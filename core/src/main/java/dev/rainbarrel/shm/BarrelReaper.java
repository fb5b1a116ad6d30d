package dev.rainbarrel.shm;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A daemon thread that calls {@link Barrel#reclaimDeadOwners()} every interval, so gauge slots of
 * processes that died (even with {@code kill -9}) are zeroed and freed without anyone asking.
 * Errors are remembered (see {@link #lastError()}) and the thread goes on; {@link #close()} stops
 * it.
 */
public final class BarrelReaper implements AutoCloseable {
  private final Barrel barrel;
  private final long intervalNanos;
  private final Thread thread;
  private final AtomicLong reclaimed = new AtomicLong();
  private volatile boolean running = true;
  private volatile String lastError;

  private BarrelReaper(Barrel barrel, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("reaper interval must be positive: " + interval);
    }
    this.barrel = barrel;
    this.intervalNanos = interval.toNanos();
    this.thread = new Thread(this::loop, "rainbarrel-reaper");
    thread.setDaemon(true);
  }

  /** Starts reaping {@code barrel} every {@code interval}. */
  public static BarrelReaper start(Barrel barrel, Duration interval) {
    BarrelReaper r = new BarrelReaper(barrel, interval);
    r.thread.start();
    return r;
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(intervalNanos / 1_000_000, (int) (intervalNanos % 1_000_000));
      } catch (InterruptedException e) {
        return;
      }
      try {
        reclaimed.addAndGet(barrel.reclaimDeadOwners());
      } catch (IllegalStateException closed) {
        return; // the barrel was closed under us
      } catch (RuntimeException e) {
        lastError = e.toString();
      }
    }
  }

  /** Slots reclaimed since start. */
  public long reclaimed() {
    return reclaimed.get();
  }

  /** The last error a round hit, or null. */
  public String lastError() {
    return lastError;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5000);
  }
}
