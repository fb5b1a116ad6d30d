package dev.rainbarrel.http;

import dev.rainbarrel.net.ListenerStats;
import dev.rainbarrel.stats.SampleSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the Watcher pages need beyond the Barrel: the watcher's per-listener aggregates, its reset
 * action, its timing, and a feed of samples for {@code /tail}. The agent implements it with its
 * watcher; the endpoint server only reads through it.
 *
 * <p>Every method may be called from any endpoint thread at any time, concurrently with sampling.
 */
public interface EndpointSources {

  /** Receives every sample the watcher takes; called on the watcher thread, so it must not block. */
  @FunctionalInterface
  interface SampleListener {
    /**
     * One watcher tick.
     *
     * @param epochMillis when the sample was taken
     * @param stats every sampled listener by address ({@code ip:port}, {@code [ip6]:port}, Unix path)
     */
    void sampled(long epochMillis, Map<String, ListenerStats> stats);
  }

  /** Addresses of the sampled listeners, in any order (the pages sort them). */
  List<String> addresses();

  /** The aggregate of {@code active} samples of {@code address}, or null for an unknown address. */
  SampleSnapshot active(String address);

  /** The aggregate of {@code queued} samples of {@code address}, or null for an unknown address. */
  SampleSnapshot queued(String address);

  /** Resets both aggregates of {@code address}; false (and nothing changes) for an unknown address. */
  boolean reset(String address);

  /** The watcher's sampling period. */
  Duration interval();

  /** When the latest sample was taken (epoch milliseconds), 0 before the first. */
  long lastSampleMillis();

  /**
   * Registers {@code listener} for every future sample until the returned handle is closed
   * (closing twice is harmless).
   */
  AutoCloseable subscribe(SampleListener listener);

  /** Sources of an agent without a watcher: no listeners, no samples. */
  static EndpointSources none() {
    return new EndpointSources() {
      @Override
      public List<String> addresses() {
        return List.of();
      }

      @Override
      public SampleSnapshot active(String address) {
        return null;
      }

      @Override
      public SampleSnapshot queued(String address) {
        return null;
      }

      @Override
      public boolean reset(String address) {
        return false;
      }

      @Override
      public Duration interval() {
        return Duration.ofSeconds(1);
      }

      @Override
      public long lastSampleMillis() {
        return 0;
      }

      @Override
      public AutoCloseable subscribe(SampleListener listener) {
        return () -> { };
      }
    };
  }
}
