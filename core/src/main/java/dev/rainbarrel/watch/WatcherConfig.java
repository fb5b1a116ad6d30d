package dev.rainbarrel.watch;

import dev.rainbarrel.net.ListenAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link Watcher} samples and how often. Immutable; start from {@link #defaults()}.
 *
 * <pre>{@code
 * WatcherConfig c = WatcherConfig.defaults()                 // 1 s, discover own listeners
 *     .withInterval(Duration.ofMillis(250))
 *     .withListeners(List.of(ListenAddress.parse("0.0.0.0:8080")));
 * }</pre>
 *
 * <p>With no configured listeners the watcher re-discovers this process's listening sockets
 * ({@link dev.rainbarrel.net.OwnListeners}) every round, so listeners bound late appear and closed
 * ones disappear. At most {@link #maxListeners()} are watched (the rest are ignored, and said so
 * once on stderr).
 */
public final class WatcherConfig {

  /** Default sampling period (raindrops' Watcher samples once a second). */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  /** Shortest accepted period. */
  public static final Duration MIN_INTERVAL = Duration.ofMillis(10);
  /** Default bound on watched listeners. */
  public static final int DEFAULT_MAX_LISTENERS = 64;

  private final Duration interval;
  private final List<ListenAddress> listeners;
  private final int maxListeners;
  private final boolean hostCounters;

  private WatcherConfig(Duration interval, List<ListenAddress> listeners, int maxListeners, boolean hostCounters) {
    this.interval = interval;
    this.listeners = listeners;
    this.maxListeners = maxListeners;
    this.hostCounters = hostCounters;
  }

  /** 1 s interval, discovered listeners, at most 64, host TcpExt counters on. */
  public static WatcherConfig defaults() {
    return new WatcherConfig(DEFAULT_INTERVAL, List.of(), DEFAULT_MAX_LISTENERS, true);
  }

  /**
   * A copy with another sampling period.
   *
   * @throws IllegalArgumentException if {@code interval} is null or shorter than 10 ms
   */
  public WatcherConfig withInterval(Duration interval) {
    if (interval == null || interval.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException("watcher interval must be at least 10ms: " + interval);
    }
    return new WatcherConfig(interval, listeners, maxListeners, hostCounters);
  }

  /**
   * A copy that watches exactly these addresses (an empty list means: discover this process's own
   * listeners every round).
   */
  public WatcherConfig withListeners(List<ListenAddress> addresses) {
    if (addresses == null) {
      throw new IllegalArgumentException("listener list must not be null (use an empty list to discover)");
    }
    List<ListenAddress> copy = new ArrayList<>();
    for (ListenAddress a : addresses) {
      if (a == null) {
        throw new IllegalArgumentException("listener list contains null: " + addresses);
      }
      if (!copy.contains(a)) {
        copy.add(a);
      }
    }
    return new WatcherConfig(interval, List.copyOf(copy), maxListeners, hostCounters);
  }

  /** Parses {@code ;}-separated addresses (the agent's {@code listeners} option) and uses them. */
  public WatcherConfig withListeners(String semicolonSeparated) {
    List<ListenAddress> list = new ArrayList<>();
    if (semicolonSeparated != null) {
      for (String part : semicolonSeparated.split(";")) {
        if (!part.isBlank()) {
          list.add(ListenAddress.parse(part.trim()));
        }
      }
    }
    return withListeners(list);
  }

  /**
   * A copy with another bound on watched listeners.
   *
   * @throws IllegalArgumentException unless {@code 1 <= max <= 4096}
   */
  public WatcherConfig withMaxListeners(int max) {
    if (max < 1 || max > 4096) {
      throw new IllegalArgumentException("maxListeners must be in [1, 4096]: " + max);
    }
    return new WatcherConfig(interval, listeners, max, hostCounters);
  }

  /** A copy that does (or does not) read {@code /proc/net/netstat} each round. */
  public WatcherConfig withHostCounters(boolean on) {
    return new WatcherConfig(interval, listeners, maxListeners, on);
  }

  /** The sampling period. */
  public Duration interval() {
    return interval;
  }

  /** The configured listeners; empty means discover. */
  public List<ListenAddress> listeners() {
    return listeners;
  }

  /** True when listeners are re-discovered each round. */
  public boolean discovers() {
    return listeners.isEmpty();
  }

  /** Bound on watched listeners. */
  public int maxListeners() {
    return maxListeners;
  }

  /** Whether host {@code ListenOverflows}/{@code ListenDrops} are sampled. */
  public boolean hostCounters() {
    return hostCounters;
  }

  @Override
  public String toString() {
    return "WatcherConfig[interval=" + interval.toMillis() + "ms, listeners="
        + (listeners.isEmpty() ? "discover" : listeners.toString()) + ", max=" + maxListeners
        + ", hostCounters=" + hostCounters + "]";
  }
}
