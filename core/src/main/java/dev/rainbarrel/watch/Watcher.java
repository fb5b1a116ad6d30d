package dev.rainbarrel.watch;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.ListenerStats;
import dev.rainbarrel.net.TcpExtStats;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.Counter;
import dev.rainbarrel.shm.Gauge;
import dev.rainbarrel.shm.StandardNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * The listen-queue watcher: one daemon thread ({@value #THREAD_NAME}) that, every {@link
 * WatcherConfig#interval()}, samples the listeners (configured, or this process's own, re-discovered
 * each round) and the host's {@code ListenOverflows}/{@code ListenDrops}, like raindrops' Watcher.
 *
 * <pre>{@code
 * try (Barrel barrel = Barrel.openDefault();
 *      Watcher w = Watcher.start(barrel, WatcherConfig.defaults())) {
 *   WatchedListener l = w.listener("0.0.0.0:8080");      // null until seen
 *   SampleSnapshot q = l.queuedStats();                  // count, min, max, mean, stddev, peaks...
 * }
 * }</pre>
 *
 * <p>Each round:
 *
 * <ol>
 *   <li>finds the listener set; listeners that appear or disappear are reported to every {@link
 *       WatcherListener} (MBeans register and unregister that way);
 *   <li>samples them with one {@link ListenerSampler} call (netlink, else {@code /proc}):
 *       a full {@link ListenerSampler#sample sample} in rounds that count {@code active}, else a
 *       {@link ListenerSampler#sampleQueuesAfterListing queue-only} one (with netlink, taken from
 *       the LISTEN rows discovery has just listed, without asking the kernel again). Counting
 *       {@code active} makes the kernel walk every connection of the host, so those rounds are
 *       spaced ({@code ActiveSchedule}) to keep the thread's CPU time ({@code
 *       /proc/thread-self/schedstat}) within {@link WatcherConfig#cpuBudget()}, and come at least
 *       every {@link WatcherConfig#activeMaxPeriod()} while that keeps the watcher within its
 *       target, else at least every {@link WatcherConfig#activeHardMaxPeriod()}; a new listener is
 *       counted at once;
 *   <li>adds {@code queued} (and, when counted, {@code active}) to each listener's aggregates and writes {@code
 *       active}, {@code queued} and (when known) {@code backlog} into the Barrel as gauges of this
 *       process labelled with the address, so {@code stat} and other processes see them and they
 *       vanish with this process;
 *   <li>reads {@code /proc/net/netstat} and stores {@code listen_overflows}/{@code listen_drops} as
 *       file counters, telling listeners when they rose.
 * </ol>
 *
 * <p>Nothing escapes the loop: each kind of error (discovery, sampling, host counters, Barrel,
 * callback) is printed once on stderr and counted ({@link #errors()}); the thread goes on. The
 * Barrel is optional ({@code null}: aggregates only). Thread-safe.
 */
public final class Watcher implements AutoCloseable {

  /** Name of the sampling thread. */
  public static final String THREAD_NAME = "rainbarrel-watcher";
  private static final long JOIN_MILLIS = 2000;

  private final Barrel barrel;
  private final WatcherConfig config;
  private final ListenerSampler sampler;
  private final LongSupplier clock;
  private final ListenerDiscovery discovery;
  private final LongSupplier cpuClock; // this thread's CPU time (ns)
  private final ActiveSchedule schedule;
  private final OnceLog log = new OnceLog();
  private final CopyOnWriteArrayList<WatcherListener> callbacks = new CopyOnWriteArrayList<>();
  private final Object roundLock = new Object();
  private final Map<String, Gauge[]> gauges = new LinkedHashMap<>(); // guarded by roundLock
  private final long startedAtMillis = System.currentTimeMillis();
  private volatile Map<String, WatchedListener> watched = Collections.emptyMap();
  private volatile TcpExtStats host;
  private volatile long rounds;
  private volatile long lastRoundNanos;
  private volatile long lastRoundCpuNanos;
  private volatile long fullRounds;
  private volatile long activePeriodMillis;
  private boolean forceFull; // guarded by roundLock: a listener was added
  private long loopCpuEnd = -1; // the watcher thread's CPU clock when its previous round ended
  private volatile boolean running;
  private volatile boolean closed;
  private Thread thread;

  private Watcher(Barrel barrel, WatcherConfig config, ListenerSampler sampler, LongSupplier clock,
      LongSupplier cpuClock) {
    this.barrel = barrel;
    this.config = config;
    this.sampler = sampler;
    this.clock = clock;
    this.cpuClock = cpuClock;
    this.discovery = new ListenerDiscovery(sampler, System::nanoTime, config.ignoredPorts());
    this.schedule = new ActiveSchedule(config.interval().toNanos(), config.cpuBudget(),
        config.activeMaxPeriod().toNanos(), config.activeHardMaxPeriod().toNanos());
    this.activePeriodMillis = config.interval().toMillis();
  }

  /**
   * Starts a watcher thread. Never throws for runtime conditions (missing {@code /proc}, netlink
   * refused): those are reported by the rounds.
   *
   * @param barrel where current values go; null to keep them in memory only
   * @param config what to watch and how often
   */
  public static Watcher start(Barrel barrel, WatcherConfig config) {
    Watcher w = create(barrel, config);
    w.startThread();
    return w;
  }

  /**
   * A watcher without a thread: call {@link #sampleOnce()} yourself (tests, benchmarks, a host that
   * has its own scheduler).
   */
  public static Watcher create(Barrel barrel, WatcherConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("watcher config must not be null");
    }
    return new Watcher(barrel, config, ListenerSampler.open(), System::currentTimeMillis,
        threadCpuClock());
  }

  /**
   * As {@link #create} with a given sampler (which the watcher then owns and closes) and a
   * wall clock for sample times (epoch ms).
   */
  static Watcher create(Barrel barrel, WatcherConfig config, ListenerSampler sampler, LongSupplier clock) {
    return new Watcher(barrel, config, sampler, clock, threadCpuClock());
  }

  /** As above with a given clock for the CPU time of rounds (ns), so tests can script costs. */
  static Watcher create(Barrel barrel, WatcherConfig config, ListenerSampler sampler,
      LongSupplier clock, LongSupplier cpuClock) {
    return new Watcher(barrel, config, sampler, clock, cpuClock);
  }

  /** The calling thread's CPU time (see {@link ThreadCpuClock}: not ThreadMXBean, which loads JUL). */
  private static LongSupplier threadCpuClock() {
    return new ThreadCpuClock();
  }

  synchronized void startThread() {
    if (running || closed) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, THREAD_NAME);
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    long period = config.interval().toNanos();
    long next = System.nanoTime();
    while (running) {
      try {
        round(true);
      } catch (Throwable t) { // a round catches everything it expects; this is the last net
        log.report("unexpected error", t);
      }
      next += period;
      long now = System.nanoTime();
      if (now - next > 0) {
        next = now + period; // fell behind (GC, suspended VM): skip missed ticks, do not burst
      }
      while (running) {
        long wait = next - System.nanoTime();
        if (wait <= 0) {
          break;
        }
        LockSupport.parkNanos(this, wait);
      }
    }
  }

  /**
   * Runs one sampling round now, on the calling thread. Never throws; errors are reported and
   * counted.
   */
  public void sampleOnce() {
    round(false);
  }

  /**
   * One round. On the watcher's own thread ({@code loopThread}) its cost is the thread's CPU time
   * since its previous round ended, so the budget also covers what the thread does between rounds
   * (waking up, the callbacks, the CPU clock's own reads: ≈ 0.01 % of a core at 1 s on the 2-vCPU
   * Xeon VM, which the rounds alone did not show); other callers' rounds count only themselves.
   */
  private void round(boolean loopThread) {
    synchronized (roundLock) {
      if (closed) {
        return;
      }
      long t0 = System.nanoTime();
      long cpu0 = cpuClock.getAsLong();
      long now = clock.getAsLong();
      List<ListenAddress> addresses = addresses();
      if (addresses != null) {
        updateSet(addresses, now);
      }
      Map<String, WatchedListener> current = watched;
      boolean full = false;
      if (!current.isEmpty()) {
        full = forceFull || schedule.fullDue();
        List<ListenAddress> list = new ArrayList<>(current.size());
        for (WatchedListener l : current.values()) {
          list.add(l.listenAddress());
        }
        Map<String, ListenerStats> stats = null;
        try {
          // a queue round right after discovery's listing reuses its LISTEN rows (netlink)
          stats = full ? sampler.sample(list) : sampler.sampleQueuesAfterListing(list);
        } catch (Exception | LinkageError e) {
          log.report("sampling listeners failed", e);
        }
        if (stats != null) {
          for (WatchedListener l : current.values()) {
            ListenerStats s = stats.get(l.address());
            if (s == null) {
              s = ListenerStats.NONE;
            }
            if (s.active() >= 0) {
              l.add(s, now);
            } else {
              l.addQueues(s, now);
            }
            write(l);
          }
          if (full) {
            forceFull = false;
          }
        } else {
          full = false; // a failed full sample is retried next round
        }
      }
      if (config.hostCounters()) {
        readHost();
      }
      long cpuEnd = cpuClock.getAsLong();
      long cpu = cpuEnd - cpu0;
      if (loopThread) {
        long between = cpu0 - loopCpuEnd;
        // more than half an interval between rounds is not this thread's CPU: a wall-time clock
        if (loopCpuEnd >= 0 && between >= 0 && between < config.interval().toNanos() / 2) {
          cpu += between;
        }
        loopCpuEnd = cpuEnd;
      }
      if (full) {
        schedule.fullRound(cpu);
        fullRounds++;
        activePeriodMillis = schedule.everyRounds() * config.interval().toMillis();
      } else if (!current.isEmpty()) {
        schedule.queueRound(cpu);
      }
      rounds++;
      lastRoundCpuNanos = cpu;
      lastRoundNanos = System.nanoTime() - t0;
      for (WatcherListener c : callbacks) {
        try {
          c.sampled(now);
        } catch (RuntimeException | LinkageError e) {
          log.report("callback failed", e);
        }
      }
    }
  }

  /** The listener set for this round, or null when discovery failed (keep the old set). */
  private List<ListenAddress> addresses() {
    if (!config.discovers()) {
      return config.listeners();
    }
    try {
      return discovery.discover();
    } catch (Exception | LinkageError e) {
      log.report("discovering own listeners failed", e);
      return null;
    }
  }

  private void updateSet(List<ListenAddress> addresses, long now) {
    Map<String, WatchedListener> old = watched;
    Map<String, WatchedListener> next = new LinkedHashMap<>();
    List<WatchedListener> added = new ArrayList<>();
    for (ListenAddress a : addresses) {
      String key = a.toString();
      if (next.containsKey(key)) {
        continue;
      }
      if (next.size() >= config.maxListeners()) {
        log.report("more than " + config.maxListeners() + " listeners; ignoring " + key + " and others", null);
        break;
      }
      WatchedListener l = old.get(key);
      if (l == null) {
        l = new WatchedListener(a, now);
        added.add(l);
        forceFull = true; // count its active at once
      }
      next.put(key, l);
    }
    if (added.isEmpty() && next.size() == old.size()) {
      return;
    }
    List<WatchedListener> removed = new ArrayList<>();
    for (Map.Entry<String, WatchedListener> e : old.entrySet()) {
      if (!next.containsKey(e.getKey())) {
        removed.add(e.getValue());
      }
    }
    watched = Collections.unmodifiableMap(next);
    for (WatchedListener l : removed) {
      dropGauges(l.address());
      for (WatcherListener c : callbacks) {
        try {
          c.listenerRemoved(l);
        } catch (RuntimeException | LinkageError e) {
          log.report("callback failed", e);
        }
      }
    }
    for (WatchedListener l : added) {
      for (WatcherListener c : callbacks) {
        try {
          c.listenerAdded(l);
        } catch (RuntimeException | LinkageError e) {
          log.report("callback failed", e);
        }
      }
    }
  }

  private void write(WatchedListener l) {
    if (barrel == null) {
      return;
    }
    try {
      Gauge[] g = gauges.get(l.address());
      if (g == null) {
        g = new Gauge[] {
          barrel.gauge(StandardNames.ACTIVE, l.address()),
          barrel.gauge(StandardNames.QUEUED, l.address()),
          null
        };
        gauges.put(l.address(), g);
      }
      ListenerStats s = l.latest();
      g[0].set(s.active());
      g[1].set(s.queued());
      if (s.backlog() != ListenerStats.UNKNOWN) {
        if (g[2] == null) {
          g[2] = barrel.gauge(StandardNames.BACKLOG, l.address());
        }
        g[2].set(s.backlog());
      }
    } catch (RuntimeException e) {
      log.report("writing listener values into the barrel failed", e);
    }
  }

  private void dropGauges(String address) {
    Gauge[] g = gauges.remove(address);
    if (g == null || barrel == null) {
      return;
    }
    try {
      barrel.removeGauge(StandardNames.ACTIVE, address);
      barrel.removeGauge(StandardNames.QUEUED, address);
      if (g[2] != null) {
        barrel.removeGauge(StandardNames.BACKLOG, address);
      }
    } catch (RuntimeException e) {
      log.report("removing a closed listener from the barrel failed", e);
    }
  }

  private void readHost() {
    TcpExtStats now;
    try {
      now = TcpExtStats.read();
    } catch (Exception | LinkageError e) {
      log.report("reading /proc/net/netstat failed", e);
      return;
    }
    TcpExtStats before = host;
    host = now;
    if (barrel != null) {
      try {
        Counter o = barrel.counter(StandardNames.LISTEN_OVERFLOWS);
        Counter d = barrel.counter(StandardNames.LISTEN_DROPS);
        o.set(now.listenOverflows());
        d.set(now.listenDrops());
      } catch (RuntimeException e) {
        log.report("writing host counters into the barrel failed", e);
      }
    }
    if (before != null && (now.listenOverflows() != before.listenOverflows()
        || now.listenDrops() != before.listenDrops())) {
      for (WatcherListener c : callbacks) {
        try {
          c.listenOverflowsRose(before, now);
        } catch (RuntimeException | LinkageError e) {
          log.report("callback failed", e);
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------

  /**
   * Subscribes to listener changes and rounds; {@link WatcherListener#listenerAdded} is called at
   * once (on this thread) for every listener already watched.
   */
  public void addListener(WatcherListener callback) {
    if (callback == null) {
      throw new IllegalArgumentException("callback must not be null");
    }
    synchronized (roundLock) {
      callbacks.add(callback);
      for (WatchedListener l : watched.values()) {
        try {
          callback.listenerAdded(l);
        } catch (RuntimeException | LinkageError e) {
          log.report("callback failed", e);
        }
      }
    }
  }

  /** Unsubscribes (no removal callbacks are sent). */
  public void removeListener(WatcherListener callback) {
    callbacks.remove(callback);
  }

  /** The listeners watched now, in discovery/configuration order. */
  public List<WatchedListener> listeners() {
    return new ArrayList<>(watched.values());
  }

  /** The listener with this address (as {@link WatchedListener#address()}), or null. */
  public WatchedListener listener(String address) {
    WatchedListener l = watched.get(address);
    if (l == null && address != null) {
      try {
        l = watched.get(ListenAddress.parse(address).toString());
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return l;
  }

  /** Resets the aggregates of every watched listener. */
  public void resetAll() {
    for (WatchedListener l : watched.values()) {
      l.reset();
    }
  }

  /** The host counters at the latest round, or null before the first successful read. */
  public TcpExtStats hostCounters() {
    return host;
  }

  /** Rounds completed. */
  public long rounds() {
    return rounds;
  }

  /** Duration of the latest round in nanoseconds (what a round costs here). */
  public long lastRoundNanos() {
    return lastRoundNanos;
  }

  /**
   * CPU time (user + system) of the latest round in nanoseconds; on the watcher's own thread,
   * with what the thread used since its previous round ended.
   */
  public long lastRoundCpuNanos() {
    return lastRoundCpuNanos;
  }

  /** Rounds so far that counted {@code active} (the others sampled only the queues). */
  public long activeRounds() {
    return fullRounds;
  }

  /**
   * How often {@code active} is counted now, in milliseconds: the interval when every round counts
   * it (netlink on a quiet host), a multiple of it when counting is expensive (many connections
   * on the host, {@code /proc}) and the rounds that do it are spaced to keep the watcher within
   * {@link WatcherConfig#cpuBudget()}; at most {@link WatcherConfig#activeMaxPeriod()} while that
   * holds the watcher within its CPU target, never more than {@link
   * WatcherConfig#activeHardMaxPeriod()}.
   * {@code queued} and {@code backlog} are sampled every round.
   */
  public long activePeriodMillis() {
    return activePeriodMillis;
  }

  /** Errors seen by rounds so far (each kind was printed once). */
  public long errors() {
    return log.total();
  }

  /** Which kernel interface answers: {@code NETLINK} or {@code PROC}. */
  public String source() {
    return sampler.source().name();
  }

  /** Why netlink is not used, or null when it is. */
  public String fallbackReason() {
    return sampler.fallbackReason();
  }

  /** Null when netlink goes through the project's JNI library (JDK 17-21); otherwise why not. */
  public String jniUnavailableReason() {
    return sampler.jniUnavailableReason();
  }

  /** The configuration. */
  public WatcherConfig config() {
    return config;
  }

  /** When this watcher was created (epoch ms). */
  public long startedAtMillis() {
    return startedAtMillis;
  }

  /** True while the thread runs. */
  public boolean isRunning() {
    Thread t = thread;
    return running && t != null && t.isAlive();
  }

  /**
   * Stops the thread (waiting up to 2 s), reports every listener as removed, frees this process's
   * listener gauges in the Barrel and closes the sampler. Idempotent; the Barrel stays open.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    if (t != null) {
      LockSupport.unpark(t);
      try {
        t.join(JOIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (roundLock) {
      if (closed) {
        return;
      }
      try {
        updateSet(List.of(), clock.getAsLong());
      } finally {
        closed = true;
        sampler.close();
      }
    }
  }

  /** Set of the listener addresses watched now (for tests and diagnostics). */
  Set<String> addressSet() {
    return new HashSet<>(watched.keySet());
  }

  @Override
  public String toString() {
    return "Watcher[" + config + ", rounds=" + rounds + ", listeners=" + watched.keySet()
        + ", source=" + sampler.source() + "]";
  }
}
