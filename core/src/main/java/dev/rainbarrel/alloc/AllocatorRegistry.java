package dev.rainbarrel.alloc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The allocators alive in this process: every {@code Arena}, iobuf {@code Pool} and {@link
 * NumberFile} joins on open and leaves on close, so that the JMX beans, the JFR event and the
 * Barrel gauges read by {@code stat} show them without the application handing anything over.
 *
 * <p><b>One registry per process, across class loaders.</b> The agent's copy of rainbarrel-core
 * is loaded by the system class loader (a {@code -javaagent} jar is on the system class path); an
 * application may load its own copy in a child-first loader (a web application, a plugin). When
 * this class is initialised it looks up {@code dev.rainbarrel.alloc.AllocatorRegistry} through
 * the system class loader; if that is a different class (another copy), this copy forwards every
 * registration to it through {@link #registerForeign} and {@link #unregisterForeign}, whose
 * parameters are JDK types only (a statistics supplier giving {@link AllocatorStats.Snapshot#toMap()}
 * and a liveness test). So the "home" registry, the one the agent reads, sees every allocator of
 * the process. Without an agent and with core in a child loader only, the copy is its own home.
 *
 * <p><b>Names</b> are unique and stable for the allocator's life: the requested name if free,
 * else the name with {@code -2}, {@code -3}, ... appended. A requested name ending in {@code ':'}
 * is numbered from 1 per prefix, never reused ({@code pool:1}, {@code pool:2}).
 * {@value AllocatorSource#BARREL_SLOTS} is reserved for the Barrel's own slot allocator.
 *
 * <p><b>Weakly held.</b> The registry keeps only a weak reference to each allocator: one that is
 * garbage-collected without {@code close()} is dropped (and its listeners told) the next time the
 * registry is read or written.
 */
public final class AllocatorRegistry {

  /**
   * Told when allocators join and leave the (home) registry. Called under the registry's lock,
   * so that every listener sees each allocator's arrival before its departure: be quick, and do
   * not wait there for another thread that may open or close an allocator.
   */
  public interface Listener {
    /** An allocator joined (also called once for each allocator present when the listener is added). */
    void added(AllocatorSource source);

    /** The allocator of this name left (closed or collected). */
    void removed(String name);
  }

  /** Handle of one registration: {@link #close()} removes it. */
  public interface Registration extends AutoCloseable {
    /** The unique name the allocator got. */
    String name();

    /** Leaves the registry. Idempotent. */
    @Override
    void close();
  }

  private static final class Entry {
    final String description;
    final Supplier<Map<String, Object>> stats;
    final BooleanSupplier alive;

    Entry(String description, Supplier<Map<String, Object>> stats, BooleanSupplier alive) {
      this.description = description;
      this.stats = stats;
      this.alive = alive;
    }
  }

  private static final Object LOCK = new Object();
  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();
  private static final Map<String, Integer> NUMBERS = new HashMap<>();
  private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();

  /** The home registry's entry points when it is another copy of this class; else null. */
  private static final MethodHandle HOME_REGISTER;
  private static final MethodHandle HOME_UNREGISTER;

  static {
    MethodHandle reg = null;
    MethodHandle unreg = null;
    try {
      ClassLoader system = ClassLoader.getSystemClassLoader();
      Class<?> home = Class.forName(AllocatorRegistry.class.getName(), true, system);
      if (home != AllocatorRegistry.class) {
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        reg = l.findStatic(home, "registerForeign", MethodType.methodType(String.class, String.class,
            String.class, Supplier.class, BooleanSupplier.class));
        unreg = l.findStatic(home, "unregisterForeign",
            MethodType.methodType(void.class, String.class, Supplier.class));
      }
    } catch (ReflectiveOperationException | LinkageError | SecurityException | IllegalStateException e) {
      // No rainbarrel-core on the system class path (or an incompatible one): this copy is home.
      reg = null;
      unreg = null;
    }
    HOME_REGISTER = reg;
    HOME_UNREGISTER = unreg;
  }

  private AllocatorRegistry() {}

  /**
   * Registers an allocator under {@code requestedName} (made unique). Only a weak reference to
   * {@code allocator} is kept.
   *
   * @param requestedName e.g. {@code arena:sessions.arena} or {@code pool:} (numbered)
   * @param description what it allocates, for the MBean
   */
  public static Registration register(String requestedName, String description, AllocatorStats allocator) {
    WeakReference<AllocatorStats> ref = new WeakReference<>(allocator);
    Supplier<Map<String, Object>> stats = () -> {
      AllocatorStats a = ref.get();
      return a == null ? null : a.statsSnapshot().toMap();
    };
    BooleanSupplier alive = () -> ref.get() != null;
    String name;
    if (HOME_REGISTER != null) {
      try {
        name = (String) HOME_REGISTER.invoke(requestedName, description, stats, alive);
      } catch (Throwable t) {
        throw new IllegalStateException("cannot register allocator " + requestedName
            + " with the rainbarrel-core of the system class loader: " + t, t);
      }
    } else {
      name = registerForeign(requestedName, description, stats, alive);
    }
    return new Registration() {
      private boolean closed;

      @Override
      public String name() {
        return name;
      }

      @Override
      public synchronized void close() {
        if (closed) {
          return;
        }
        closed = true;
        if (HOME_UNREGISTER != null) {
          try {
            HOME_UNREGISTER.invoke(name, stats);
          } catch (Throwable t) {
            throw new IllegalStateException("cannot unregister allocator " + name + ": " + t, t);
          }
        } else {
          unregisterForeign(name, stats);
        }
      }
    };
  }

  /**
   * The entry point other copies of this class (other class loaders) call; JDK types only.
   * Applications use {@link #register}.
   *
   * @param stats gives {@link AllocatorStats.Snapshot#toMap()} now, or null once the allocator is gone
   * @param alive false once the allocator is gone
   * @return the unique name given
   */
  public static String registerForeign(String requestedName, String description,
      Supplier<Map<String, Object>> stats, BooleanSupplier alive) {
    if (requestedName == null || requestedName.isEmpty()) {
      throw new IllegalArgumentException("allocator name must not be empty");
    }
    synchronized (LOCK) {
      fireRemoved(pruneLocked());
      String name = uniqueLocked(requestedName);
      ENTRIES.put(name, new Entry(description == null ? "" : description, stats, alive));
      AllocatorSource source = source(name, description, stats);
      for (Listener l : LISTENERS) {
        safely(() -> l.added(source));
      }
      return name;
    }
  }

  /** Removes {@code name} if it is still the registration made with {@code stats}. JDK types only. */
  public static void unregisterForeign(String name, Supplier<?> stats) {
    synchronized (LOCK) {
      Entry e = ENTRIES.get(name);
      if (e != null && e.stats == stats) {
        ENTRIES.remove(name);
        fireRemoved(List.of(name));
      }
    }
  }

  private static String uniqueLocked(String requested) {
    if (requested.endsWith(":")) {
      while (true) {
        int n = NUMBERS.merge(requested, 1, Integer::sum);
        String candidate = requested + n;
        if (!ENTRIES.containsKey(candidate)) {
          return candidate;
        }
      }
    }
    String candidate = requested;
    for (int n = 2; ENTRIES.containsKey(candidate) || AllocatorSource.BARREL_SLOTS.equals(candidate); n++) {
      candidate = requested + "-" + n;
    }
    return candidate;
  }

  /** Drops collected allocators; returns their names. */
  private static List<String> pruneLocked() {
    List<String> gone = new ArrayList<>();
    ENTRIES.entrySet().removeIf(e -> {
      boolean dead;
      try {
        dead = !e.getValue().alive.getAsBoolean();
      } catch (RuntimeException | LinkageError x) {
        dead = true;
      }
      if (dead) {
        gone.add(e.getKey());
      }
      return dead;
    });
    return gone;
  }

  private static void fireRemoved(List<String> names) {
    for (String n : names) {
      for (Listener l : LISTENERS) {
        safely(() -> l.removed(n));
      }
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      System.err.println("rainbarrel: allocator registry listener failed: " + e);
    }
  }

  /** The allocators registered now (collected ones dropped first), in registration order. */
  public static List<AllocatorSource> sources() {
    List<AllocatorSource> out = new ArrayList<>();
    synchronized (LOCK) {
      fireRemoved(pruneLocked());
      ENTRIES.forEach((name, e) -> out.add(source(name, e.description, e.stats)));
    }
    return out;
  }

  /** True when this copy forwards to the registry of the system class loader. */
  public static boolean forwardsToSystemLoader() {
    return HOME_REGISTER != null;
  }

  /**
   * Adds a listener and replays every allocator present to its {@link Listener#added}. Listeners
   * are held by the home registry's copy only: add them where you read (the agent does).
   */
  public static void addListener(Listener l) {
    synchronized (LOCK) {
      LISTENERS.add(l);
      ENTRIES.forEach((name, e) -> {
        AllocatorSource s = source(name, e.description, e.stats);
        safely(() -> l.added(s));
      });
    }
  }

  /** Removes a listener. */
  public static void removeListener(Listener l) {
    LISTENERS.remove(l);
  }

  private static AllocatorSource source(String name, String description, Supplier<Map<String, Object>> stats) {
    String kind = name.indexOf(':') > 0 ? name.substring(0, name.indexOf(':')) : name;
    return AllocatorSource.of(name, description, () -> {
      Map<String, Object> m = stats.get();
      return m == null ? AllocatorStats.Snapshot.gone(kind) : AllocatorStats.Snapshot.fromMap(m);
    });
  }
}
