package dev.rainbarrel.jfr;

import dev.rainbarrel.alloc.AllocatorRegistry;
import dev.rainbarrel.alloc.AllocatorSource;
import dev.rainbarrel.alloc.AllocatorStats;
import dev.rainbarrel.net.TcpExtStats;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelEntry;
import dev.rainbarrel.shm.StandardNames;
import dev.rainbarrel.stats.SampleSnapshot;
import dev.rainbarrel.watch.WatchedListener;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.FlightRecorder;

/** The installed hooks (all jdk.jfr references live here and in the event classes). */
final class JfrHooks implements RainbarrelJfr.Registration {

  private final Watcher watcher;
  private final List<Runnable> hooks = new ArrayList<>();
  private final WatcherListener overflowCallback;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean reported = new AtomicBoolean();

  private JfrHooks(Barrel barrel, Watcher watcher, List<AllocatorSource> allocators) {
    this.watcher = watcher;
    if (watcher != null) {
      hooks.add(guard(() -> listenQueue(watcher)));
      overflowCallback = new WatcherListener() {
        @Override
        public void listenOverflowsRose(TcpExtStats previous, TcpExtStats current) {
          overflow(watcher, previous, current);
        }
      };
    } else {
      overflowCallback = null;
    }
    List<AllocatorSource> sources = new ArrayList<>();
    if (barrel != null) {
      hooks.add(guard(() -> counters(barrel)));
      sources.add(AllocatorSource.barrelSlots(barrel));
    }
    sources.addAll(allocators);
    // Always installed: every Arena, Pool and NumberFile of the process joins the registry,
    // read each period, so allocators opened later are covered too.
    hooks.add(guard(() -> {
      List<AllocatorSource> all = new ArrayList<>(sources);
      all.addAll(AllocatorRegistry.sources());
      allocators(all);
    }));
  }

  static JfrHooks install(Barrel barrel, Watcher watcher, List<AllocatorSource> allocators) {
    for (Class<? extends jdk.jfr.Event> c : List.of(ListenQueueEvent.class, CountersEvent.class,
        AllocatorEvent.class, ListenOverflowEvent.class, AcceptWaitEvent.class)) {
      FlightRecorder.register(c);
    }
    JfrHooks h = new JfrHooks(barrel, watcher, allocators);
    int i = 0;
    if (watcher != null) {
      FlightRecorder.addPeriodicEvent(ListenQueueEvent.class, h.hooks.get(i++));
      watcher.addListener(h.overflowCallback);
    }
    if (barrel != null) {
      FlightRecorder.addPeriodicEvent(CountersEvent.class, h.hooks.get(i++));
    }
    FlightRecorder.addPeriodicEvent(AllocatorEvent.class, h.hooks.get(i));
    return h;
  }

  /** A periodic hook that never throws into JFR (which would print a stack trace every period). */
  private Runnable guard(Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (RuntimeException | LinkageError e) {
        if (reported.compareAndSet(false, true)) {
          System.err.println("rainbarrel: jfr: a periodic event failed (further failures not printed): " + e);
        }
      }
    };
  }

  private static void listenQueue(Watcher watcher) {
    for (WatchedListener l : watcher.listeners()) {
      ListenQueueEvent e = new ListenQueueEvent();
      if (!e.shouldCommit()) {
        return;
      }
      SampleSnapshot q = l.queuedStats();
      SampleSnapshot a = l.activeStats();
      e.address = l.address();
      e.active = l.active();
      e.queued = l.queued();
      e.backlog = l.backlog();
      e.queuedMax = q.max();
      e.queuedMean = q.mean();
      e.activeMax = a.max();
      e.samples = q.count();
      e.commit();
    }
  }

  private static void counters(Barrel barrel) {
    CountersEvent e = new CountersEvent();
    if (!e.shouldCommit()) {
      return;
    }
    Map<String, Long> v = new HashMap<>();
    try {
      for (BarrelEntry x : barrel.entries()) {
        if (x.label().isEmpty()) {
          v.put(x.name(), x.value());
        }
      }
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(barrel.path() + ": " + ex.getMessage(), ex);
    }
    e.calling = v.getOrDefault(StandardNames.CALLING, 0L);
    e.writing = v.getOrDefault(StandardNames.WRITING, 0L);
    e.requests = v.getOrDefault(StandardNames.REQUESTS, 0L);
    e.accepted = v.getOrDefault(StandardNames.ACCEPTED, 0L);
    e.errors = v.getOrDefault(StandardNames.ERRORS, 0L);
    e.responses1xx = v.getOrDefault(StandardNames.RESPONSES.get(0), 0L);
    e.responses2xx = v.getOrDefault(StandardNames.RESPONSES.get(1), 0L);
    e.responses3xx = v.getOrDefault(StandardNames.RESPONSES.get(2), 0L);
    e.responses4xx = v.getOrDefault(StandardNames.RESPONSES.get(3), 0L);
    e.responses5xx = v.getOrDefault(StandardNames.RESPONSES.get(4), 0L);
    e.listenOverflows = v.getOrDefault(StandardNames.LISTEN_OVERFLOWS, 0L);
    e.listenDrops = v.getOrDefault(StandardNames.LISTEN_DROPS, 0L);
    e.commit();
  }

  private static void allocators(List<AllocatorSource> sources) {
    for (AllocatorSource s : sources) {
      AllocatorEvent e = new AllocatorEvent();
      if (!e.shouldCommit()) {
        return;
      }
      AllocatorStats.Snapshot st = s.stats();
      e.name = s.name();
      e.capacity = st.capacity();
      e.used = st.used();
      e.free = st.free();
      e.usedBytes = st.used() * st.unitBytes();
      e.capacityBytes = st.capacity() * st.unitBytes();
      e.allocations = st.allocations();
      e.failures = st.failures();
      e.commit();
    }
  }

  private static void overflow(Watcher watcher, TcpExtStats previous, TcpExtStats current) {
    ListenOverflowEvent e = new ListenOverflowEvent();
    if (!e.isEnabled()) {
      return;
    }
    e.overflows = current.listenOverflows() - previous.listenOverflows();
    e.drops = current.listenDrops() - previous.listenDrops();
    e.listenOverflows = current.listenOverflows();
    e.listenDrops = current.listenDrops();
    WatchedListener fullest = null;
    for (WatchedListener l : watcher.listeners()) {
      if (fullest == null || l.queued() > fullest.queued()) {
        fullest = l;
      }
    }
    if (fullest != null) {
      e.fullestListener = fullest.address();
      e.fullestQueued = fullest.queued();
    }
    if (e.shouldCommit()) {
      e.commit();
    }
  }

  static void acceptWait(String listener, long waitMillis) {
    AcceptWaitEvent e = new AcceptWaitEvent();
    if (!e.isEnabled()) {
      return;
    }
    e.listener = listener;
    e.waitTime = waitMillis;
    if (e.shouldCommit()) {
      e.commit();
    }
  }

  @Override
  public boolean isActive() {
    return !closed.get();
  }

  @Override
  public String inactiveReason() {
    return closed.get() ? "closed" : null;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Runnable r : hooks) {
      FlightRecorder.removePeriodicEvent(r);
    }
    if (watcher != null && overflowCallback != null) {
      watcher.removeListener(overflowCallback);
    }
  }
}
