package dev.rainbarrel.agent;

import dev.rainbarrel.alloc.AllocatorGauges;
import dev.rainbarrel.alloc.AllocatorRegistry;
import dev.rainbarrel.shm.Barrel;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Copies the figures of every allocator in the process's {@link AllocatorRegistry} into the
 * agent's Barrel every period (as {@code allocator.<figure>} gauges, see {@link AllocatorGauges}),
 * so that {@code rainbarrel stat} in another process lists them under {@code allocators}. One
 * daemon thread; a failing round prints one line (once) and the next round tries again. Reading
 * the registry also drops allocators that were garbage-collected without {@code close()}.
 */
final class AllocatorPublisher implements AutoCloseable {
  static final String THREAD_NAME = "rainbarrel-allocators";

  private final ScheduledExecutorService timer;
  private final AllocatorGauges gauges;
  private boolean reported;

  private AllocatorPublisher(Barrel barrel) {
    this.gauges = new AllocatorGauges(barrel);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, THREAD_NAME);
      t.setDaemon(true);
      return t;
    });
  }

  /** Publishes now and then every {@code period} (at least 100 ms). */
  static AllocatorPublisher start(Barrel barrel, Duration period) {
    AllocatorPublisher p = new AllocatorPublisher(barrel);
    long ms = Math.max(100, period.toMillis());
    p.timer.scheduleWithFixedDelay(p::round, 0, ms, TimeUnit.MILLISECONDS);
    return p;
  }

  /** One round: set the gauges of the allocators present, remove those of the ones gone. */
  void round() {
    try {
      gauges.publish(AllocatorRegistry.sources());
    } catch (RuntimeException | LinkageError e) {
      if (!reported) {
        reported = true;
        AgentLog.error("allocator figures not published to the barrel (further failures not printed): " + e);
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
