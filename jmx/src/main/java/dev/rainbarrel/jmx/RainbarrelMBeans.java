package dev.rainbarrel.jmx;

import dev.rainbarrel.alloc.AllocatorRegistry;
import dev.rainbarrel.alloc.AllocatorSource;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.StandardNames;
import dev.rainbarrel.watch.WatchedListener;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherListener;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers rainbarrel's MXBeans (names fixed by the design contract):
 *
 * <ul>
 *   <li>{@code rainbarrel:type=Agent} ({@link AgentMXBean})
 *   <li>{@code rainbarrel:type=Counters} ({@link CountersMXBean}), needs a Barrel
 *   <li>{@code rainbarrel:type=Listener,address=<ObjectName.quote(address)>} ({@link
 *       ListenerMXBean}), one per watched listener, registered and unregistered as the watcher
 *       finds listeners appear and disappear; needs a Watcher
 *   <li>{@code rainbarrel:type=Histogram,name=request_duration|accept_wait|...} ({@link
 *       HistogramMXBean}), needs a Barrel
 *   <li>{@code rainbarrel:type=Allocator,name=barrel_slots|...} ({@link AllocatorMXBean}): the
 *       Barrel's slots, the sources passed in, and every allocator in the process's {@link
 *       AllocatorRegistry} (each Arena, iobuf Pool and NumberFile), registered and unregistered as
 *       they are opened and closed
 * </ul>
 *
 * <pre>{@code
 * RainbarrelMBeans.Registration jmx =
 *     RainbarrelMBeans.register(barrel, watcher, AgentInfo.defaults(), List.of());
 * ...
 * jmx.close(); // unregisters everything
 * }</pre>
 *
 * <p>Never throws and never fails its caller: problems are one line on stderr. On the platform
 * server, registration waits (on a daemon thread) while creating that server is unsafe (WildFly's
 * LogManager, see {@link PlatformServerGate}). Everything is open types: JConsole, VisualVM and
 * Jolokia need none of our classes.
 */
public final class RainbarrelMBeans {

  /** The JMX domain. */
  public static final String DOMAIN = "rainbarrel";
  /** Name of the waiting thread. */
  public static final String WAIT_THREAD_NAME = "rainbarrel-jmx-wait";
  /** How long registration waits for the platform server to become safe. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(10);

  private RainbarrelMBeans() {}

  /** {@code rainbarrel:type=Agent}. */
  public static ObjectName agentName() {
    return name(DOMAIN + ":type=Agent");
  }

  /** {@code rainbarrel:type=Counters}. */
  public static ObjectName countersName() {
    return name(DOMAIN + ":type=Counters");
  }

  /** {@code rainbarrel:type=Listener,address=<quoted>}. */
  public static ObjectName listenerName(String address) {
    return name(DOMAIN + ":type=Listener,address=" + ObjectName.quote(address));
  }

  /** {@code rainbarrel:type=Histogram,name=<name>}. */
  public static ObjectName histogramName(String histogram) {
    return name(DOMAIN + ":type=Histogram,name=" + quoteIfNeeded(histogram));
  }

  /** {@code rainbarrel:type=Allocator,name=<name>}. */
  public static ObjectName allocatorName(String allocator) {
    return name(DOMAIN + ":type=Allocator,name=" + quoteIfNeeded(allocator));
  }

  private static String quoteIfNeeded(String v) {
    for (char c : v.toCharArray()) {
      if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n') {
        return ObjectName.quote(v);
      }
    }
    return v;
  }

  private static ObjectName name(String s) {
    try {
      return new ObjectName(s);
    } catch (MalformedObjectNameException e) {
      throw new IllegalArgumentException("bad MBean name " + s + ": " + e.getMessage(), e);
    }
  }

  /**
   * Registers on the platform MBeanServer, now if that is safe, else as soon as it is (at most
   * {@link #MAX_WAIT}). Never throws.
   *
   * @param barrel the shared file (null: no Counters, Histogram or barrel_slots beans)
   * @param watcher the listener watcher (null: no Listener beans)
   * @param info what the agent knows about itself (null: defaults)
   * @param allocators further allocators to show besides the Barrel's slots
   */
  public static Registration register(Barrel barrel, Watcher watcher, AgentInfo info, List<AllocatorSource> allocators) {
    return register(ManagementFactory::getPlatformMBeanServer, PlatformServerGate::unsafeReason,
        barrel, watcher, info, allocators, MAX_WAIT);
  }

  /**
   * Registers on the platform MBeanServer as soon as something else has created an MBeanServer:
   * the JVM's own JMX agent ({@code -Dcom.sun.management.jmxremote...}), a JConsole or VisualVM
   * attach, Jolokia, or the application. This is the agent's choice: creating the platform server
   * itself would initialise {@code java.util.logging} at start-up, before containers such as
   * WildFly install their own log manager, and nobody can read MBeans before a server exists
   * anyway. A daemon thread polls every 250 ms, quietly, until then. Never throws.
   */
  public static Registration registerWhenServerExists(Barrel barrel, Watcher watcher, AgentInfo info,
      List<AllocatorSource> allocators) {
    Supplier<String> notYet = () -> {
      if (MBeanServerFactory.findMBeanServer(null).isEmpty()) {
        return "no MBeanServer exists yet: the MBeans appear when one is created (jmxremote, JConsole"
            + " or VisualVM attach, Jolokia, the application)";
      }
      return PlatformServerGate.unsafeReason();
    };
    return register(ManagementFactory::getPlatformMBeanServer, notYet, barrel, watcher, info, allocators,
        Duration.ofDays(36_500), false);
  }

  /** Registers on the given server at once (tests, applications with their own server). */
  public static Registration register(MBeanServer server, Barrel barrel, Watcher watcher, AgentInfo info,
      List<AllocatorSource> allocators) {
    return register(() -> server, () -> null, barrel, watcher, info, allocators, Duration.ZERO);
  }

  static Registration register(Supplier<MBeanServer> server, Supplier<String> unsafe, Barrel barrel,
      Watcher watcher, AgentInfo info, List<AllocatorSource> allocators, Duration maxWait) {
    return register(server, unsafe, barrel, watcher, info, allocators, maxWait, true);
  }

  static Registration register(Supplier<MBeanServer> server, Supplier<String> unsafe, Barrel barrel,
      Watcher watcher, AgentInfo info, List<AllocatorSource> allocators, Duration maxWait, boolean announce) {
    Registration r = new Registration(barrel, watcher, info == null ? AgentInfo.defaults() : info,
        allocators == null ? List.of() : allocators);
    String why;
    try {
      why = unsafe.get();
    } catch (RuntimeException e) {
      why = null;
    }
    if (why == null) {
      r.registerAll(server);
    } else {
      r.waitThenRegister(server, unsafe, why, maxWait, announce);
    }
    return r;
  }

  /** Handle of one registration; {@link #close()} unregisters everything it registered. */
  public static final class Registration implements AutoCloseable {
    private final Barrel barrel;
    private final Watcher watcher;
    private final AgentInfo info;
    private final List<AllocatorSource> allocators;
    private final Map<String, ObjectName> listenerBeans = new LinkedHashMap<>();
    private final Set<ObjectName> names = new LinkedHashSet<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile MBeanServer server;
    private volatile String pendingReason;
    private volatile boolean closed;
    private WatcherListener callback;
    private AllocatorRegistry.Listener registryListener;
    private final Map<String, ObjectName> registryBeans = new LinkedHashMap<>();
    private Thread waiter;

    Registration(Barrel barrel, Watcher watcher, AgentInfo info, List<AllocatorSource> allocators) {
      this.barrel = barrel;
      this.watcher = watcher;
      this.info = info;
      this.allocators = new ArrayList<>(allocators);
    }

    private void waitThenRegister(
        Supplier<MBeanServer> s, Supplier<String> unsafe, String why, Duration maxWait, boolean announce) {
      pendingReason = why;
      if (announce) {
        System.err.println("rainbarrel: jmx: registration deferred: " + why);
      }
      Thread t = new Thread(() -> {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (!closed) {
          String reason;
          try {
            reason = unsafe.get();
          } catch (RuntimeException e) {
            reason = null;
          }
          if (reason == null) {
            registerAll(s);
            return;
          }
          pendingReason = reason;
          if (System.nanoTime() - deadline > 0) {
            System.err.println("rainbarrel: jmx: not registering MBeans after waiting " + maxWait.toSeconds()
                + " s: " + reason);
            done.countDown();
            return;
          }
          try {
            Thread.sleep(250);
          } catch (InterruptedException e) {
            break;
          }
        }
        done.countDown();
      }, WAIT_THREAD_NAME);
      t.setDaemon(true);
      waiter = t;
      t.start();
    }

    private void registerAll(Supplier<MBeanServer> supplier) {
      try {
        MBeanServer s;
        try {
          s = supplier.get();
        } catch (RuntimeException | Error e) {
          System.err.println("rainbarrel: jmx: no MBeanServer, MBeans not registered: " + e);
          return;
        }
        synchronized (this) {
          if (closed) {
            return;
          }
          server = s;
          pendingReason = null;
          add(agentName(), new DescribedMXBean(new AgentBean(barrel, watcher, info), AgentMXBean.class));
          if (barrel != null) {
            add(countersName(), new DescribedMXBean(new CountersBean(barrel), CountersMXBean.class));
            Map<String, String> histograms = new LinkedHashMap<>();
            histograms.put(StandardNames.REQUEST_DURATION, "us");
            histograms.put(StandardNames.ACCEPT_WAIT, "ms");
            try {
              for (String h : barrel.histogramSnapshots().keySet()) {
                histograms.putIfAbsent(h, "");
              }
            } catch (Exception e) {
              System.err.println("rainbarrel: jmx: cannot list histograms of " + barrel.path() + ": " + e);
            }
            for (Map.Entry<String, String> h : histograms.entrySet()) {
              add(histogramName(h.getKey()),
                  new DescribedMXBean(new HistogramBean(barrel, h.getKey(), h.getValue()), HistogramMXBean.class));
            }
            addAllocator(AllocatorSource.barrelSlots(barrel));
          }
          for (AllocatorSource a : allocators) {
            addAllocator(a);
          }
        }
        // Every Arena, Pool and NumberFile of the process, as they are opened and closed.
        AllocatorRegistry.Listener al = new AllocatorRegistry.Listener() {
          @Override
          public void added(AllocatorSource source) {
            addRegistryAllocator(source);
          }

          @Override
          public void removed(String name) {
            removeRegistryAllocator(name);
          }
        };
        synchronized (this) {
          if (closed) {
            return;
          }
          registryListener = al;
        }
        AllocatorRegistry.addListener(al);
        if (watcher != null) {
          WatcherListener cb = new WatcherListener() {
            @Override
            public void listenerAdded(WatchedListener l) {
              addListenerBean(l);
            }

            @Override
            public void listenerRemoved(WatchedListener l) {
              removeListenerBean(l.address());
            }
          };
          synchronized (this) {
            if (closed) {
              return;
            }
            callback = cb;
          }
          watcher.addListener(cb);
        }
      } finally {
        done.countDown();
      }
    }

    private void addAllocator(AllocatorSource a) {
      add(allocatorName(a.name()), new DescribedMXBean(new AllocatorBean(a), AllocatorMXBean.class));
    }

    private synchronized void addRegistryAllocator(AllocatorSource a) {
      if (closed || server == null) {
        return;
      }
      removeRegistryAllocator(a.name());
      ObjectName n = allocatorName(a.name());
      if (add(n, new DescribedMXBean(new AllocatorBean(a), AllocatorMXBean.class))) {
        registryBeans.put(a.name(), n);
      }
    }

    private synchronized void removeRegistryAllocator(String name) {
      ObjectName n = registryBeans.remove(name);
      if (n != null) {
        unregister(n);
        names.remove(n);
      }
    }

    private synchronized void addListenerBean(WatchedListener l) {
      if (closed || server == null) {
        return;
      }
      removeListenerBean(l.address());
      ObjectName n = listenerName(l.address());
      if (add(n, new DescribedMXBean(new ListenerBean(l), ListenerMXBean.class))) {
        listenerBeans.put(l.address(), n);
      }
    }

    private synchronized void removeListenerBean(String address) {
      ObjectName n = listenerBeans.remove(address);
      if (n != null) {
        unregister(n);
        names.remove(n);
      }
    }

    private boolean add(ObjectName n, Object bean) {
      try {
        server.registerMBean(bean, n);
        names.add(n);
        return true;
      } catch (Exception | LinkageError e) {
        System.err.println("rainbarrel: jmx: cannot register " + n + ": " + e);
        return false;
      }
    }

    private void unregister(ObjectName n) {
      try {
        if (server.isRegistered(n)) {
          server.unregisterMBean(n);
        }
      } catch (Exception | LinkageError e) {
        System.err.println("rainbarrel: jmx: cannot unregister " + n + ": " + e);
      }
    }

    /** True once the beans are registered (false while waiting, after giving up, or after close). */
    public boolean isRegistered() {
      return server != null && !closed;
    }

    /** Why registration is still waiting, or null. */
    public String pendingReason() {
      return pendingReason;
    }

    /** Waits until registration happened or was given up; true if registered. */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
      done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return isRegistered();
    }

    /** The names registered now. */
    public synchronized Set<ObjectName> names() {
      return new LinkedHashSet<>(names);
    }

    /** Unregisters everything, stops waiting, unsubscribes from the watcher. Idempotent. */
    @Override
    public void close() {
      WatcherListener cb;
      AllocatorRegistry.Listener al;
      Thread w;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        cb = callback;
        al = registryListener;
        w = waiter;
        if (server != null) {
          for (ObjectName n : names) {
            unregister(n);
          }
        }
        names.clear();
        listenerBeans.clear();
        registryBeans.clear();
      }
      if (al != null) {
        AllocatorRegistry.removeListener(al);
      }
      if (cb != null) {
        watcher.removeListener(cb);
      }
      if (w != null) {
        w.interrupt();
      }
      done.countDown();
    }
  }
}
