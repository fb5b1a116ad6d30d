package dev.rainbarrel.watch;

import dev.rainbarrel.net.ListenAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
  /**
   * Default CPU budget of the watcher thread as a share of one core (0.08 %, under issue 5's
   * 0.1 % target): rounds that count {@code active} are spaced to stay within it.
   */
  public static final double DEFAULT_CPU_BUDGET = 0.0008;
  /**
   * Default longest time between two rounds that count {@code active}, kept as long as it holds
   * the watcher within its CPU target (see {@link #activeMaxPeriod()}).
   */
  public static final Duration DEFAULT_ACTIVE_MAX_PERIOD = Duration.ofSeconds(10);
  /** Default longest time between two rounds that count {@code active} in any case. */
  public static final Duration DEFAULT_ACTIVE_HARD_MAX_PERIOD = Duration.ofSeconds(30);

  private final Duration interval;
  private final List<ListenAddress> listeners;
  private final int maxListeners;
  private final boolean hostCounters;
  private final double cpuBudget;
  private final Duration activeMaxPeriod;
  private final Duration activeHardMaxPeriod;
  private final Set<Integer> ignoredPorts;

  private WatcherConfig(Duration interval, List<ListenAddress> listeners, int maxListeners,
      boolean hostCounters, double cpuBudget, Duration activeMaxPeriod, Duration activeHardMaxPeriod,
      Set<Integer> ignoredPorts) {
    this.interval = interval;
    this.listeners = listeners;
    this.maxListeners = maxListeners;
    this.hostCounters = hostCounters;
    this.cpuBudget = cpuBudget;
    this.activeMaxPeriod = activeMaxPeriod;
    this.activeHardMaxPeriod = activeHardMaxPeriod;
    this.ignoredPorts = ignoredPorts;
  }

  /** 1 s interval, discovered listeners, at most 64, host TcpExt counters on. */
  public static WatcherConfig defaults() {
    return new WatcherConfig(DEFAULT_INTERVAL, List.of(), DEFAULT_MAX_LISTENERS, true,
        DEFAULT_CPU_BUDGET, DEFAULT_ACTIVE_MAX_PERIOD, DEFAULT_ACTIVE_HARD_MAX_PERIOD, Set.of());
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
    return new WatcherConfig(interval, listeners, maxListeners, hostCounters, cpuBudget, activeMaxPeriod, activeHardMaxPeriod, ignoredPorts);
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
    return new WatcherConfig(interval, List.copyOf(copy), maxListeners, hostCounters, cpuBudget, activeMaxPeriod, activeHardMaxPeriod, ignoredPorts);
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
    return new WatcherConfig(interval, listeners, max, hostCounters, cpuBudget, activeMaxPeriod, activeHardMaxPeriod, ignoredPorts);
  }

  /** A copy that does (or does not) read {@code /proc/net/netstat} each round. */
  public WatcherConfig withHostCounters(boolean on) {
    return new WatcherConfig(interval, listeners, maxListeners, on, cpuBudget, activeMaxPeriod, activeHardMaxPeriod, ignoredPorts);
  }

  /**
   * A copy with another CPU budget for counting {@code active}. Every round samples {@code queued}
   * and {@code backlog} (cheap: the kernel's listening sockets only); counting {@code active}
   * makes the kernel walk every connection of the host, so rounds that do it are spaced to keep
   * the watcher's average CPU time under {@code shareOfOneCore} of one core, but never further
   * apart than {@code maxPeriod}. {@code shareOfOneCore >= 1} counts {@code active} every round.
   *
   * @throws IllegalArgumentException if the share is not positive or the period is null or
   *     shorter than the interval
   */
  public WatcherConfig withActiveBudget(double shareOfOneCore, Duration maxPeriod) {
    return withActiveBudget(shareOfOneCore, maxPeriod, maxPeriod);
  }

  /**
   * {@link #withActiveBudget(double, Duration)} where {@code maxPeriod} yields to the budget when
   * keeping it would take the watcher over 1.25 times its budget (0.1 % of a core for the default
   * 0.08 %), so that rounds counting {@code active} are then spaced by the budget alone, up to
   * {@code hardMaxPeriod} apart. The defaults are 10 s and 30 s.
   *
   * @throws IllegalArgumentException if the share is not positive, a period is null, {@code
   *     maxPeriod} is shorter than the interval or {@code hardMaxPeriod} shorter than {@code
   *     maxPeriod}
   */
  public WatcherConfig withActiveBudget(double shareOfOneCore, Duration maxPeriod, Duration hardMaxPeriod) {
    if (!(shareOfOneCore > 0) || Double.isInfinite(shareOfOneCore)) {
      throw new IllegalArgumentException("watcher CPU budget must be a positive share of one core: "
          + shareOfOneCore);
    }
    if (maxPeriod == null || maxPeriod.compareTo(interval) < 0) {
      throw new IllegalArgumentException("active max period must be at least the interval ("
          + interval.toMillis() + "ms): " + maxPeriod);
    }
    if (hardMaxPeriod == null || hardMaxPeriod.compareTo(maxPeriod) < 0) {
      throw new IllegalArgumentException("active hard max period must be at least the max period ("
          + maxPeriod.toMillis() + "ms): " + hardMaxPeriod);
    }
    return new WatcherConfig(interval, listeners, maxListeners, hostCounters, shareOfOneCore, maxPeriod,
        hardMaxPeriod, ignoredPorts);
  }

  /** A copy that counts {@code active} every round, whatever it costs (raindrops' behaviour). */
  public WatcherConfig withActiveEveryRound() {
    return withActiveBudget(1.0, interval);
  }

  /** The CPU budget (share of one core) that spaces the rounds counting {@code active}. */
  public double cpuBudget() {
    return cpuBudget;
  }

  /**
   * Longest time between two rounds that count {@code active} while keeping it holds the watcher
   * within 1.25 times {@link #cpuBudget()} (a host with many connections makes each such round
   * cost milliseconds); beyond that the budget spaces them, up to {@link #activeHardMaxPeriod()}.
   */
  public Duration activeMaxPeriod() {
    return activeMaxPeriod;
  }

  /** Longest time between two rounds that count {@code active}, whatever they cost. */
  public Duration activeHardMaxPeriod() {
    return activeHardMaxPeriod;
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

  /**
   * A copy whose discovery leaves out TCP listeners on these ports: the agent's own endpoints
   * ({@code http=}, {@code jolokia=}), which are not the application's queues. Configured listeners
   * are watched whatever their port.
   *
   * @throws IllegalArgumentException for a port outside {@code [1, 65535]}
   */
  public WatcherConfig withIgnoredPorts(Set<Integer> ports) {
    for (int p : ports) {
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("port must be in [1, 65535]: " + p);
      }
    }
    return new WatcherConfig(interval, listeners, maxListeners, hostCounters, cpuBudget, activeMaxPeriod,
        activeHardMaxPeriod, Set.copyOf(ports));
  }

  /** TCP ports that discovery leaves out. */
  public Set<Integer> ignoredPorts() {
    return ignoredPorts;
  }

  /** Whether host {@code ListenOverflows}/{@code ListenDrops} are sampled. */
  public boolean hostCounters() {
    return hostCounters;
  }

  @Override
  public String toString() {
    return "WatcherConfig[interval=" + interval.toMillis() + "ms, listeners="
        + (listeners.isEmpty() ? "discover" : listeners.toString()) + ", max=" + maxListeners
        + ", hostCounters=" + hostCounters + ", cpuBudget=" + cpuBudget + ", activeMaxPeriod="
        + activeMaxPeriod.toMillis() + "ms, activeHardMaxPeriod=" + activeHardMaxPeriod.toMillis() + "ms" + (ignoredPorts.isEmpty() ? "" : ", ignoredPorts=" + ignoredPorts) + "]";
  }
}
