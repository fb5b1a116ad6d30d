package dev.rainbarrel.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.arena.Arena;
import dev.rainbarrel.iobuf.Allocator;
import dev.rainbarrel.iobuf.Pool;
import dev.rainbarrel.iobuf.Slice;
import dev.rainbarrel.shm.Barrel;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every allocator joins the process-wide registry on open and leaves on close, across class loaders. */
@Timeout(60)
class AllocatorRegistryTest {

  @TempDir Path dir;

  private static Optional<AllocatorSource> find(String name) {
    return AllocatorRegistry.sources().stream().filter(s -> s.name().equals(name)).findFirst();
  }

  @Test
  void arenaPoolAndNumberFileJoinOnOpenWithFigures_andLeaveOnClose() throws IOException {
    Arena arena = Arena.open(dir.resolve("sessions.arena"), Arena.Options.defaults().capacity(1 << 16));
    Pool pool = new Pool();
    NumberFile numbers = NumberFile.open(dir.resolve("ids.numbers"), 100);
    try {
      assertEquals("arena:sessions.arena", arena.allocatorName());
      assertTrue(pool.allocatorName().matches("pool:\\d+"), pool.allocatorName());
      assertEquals("numbers:ids.numbers", numbers.allocatorName());

      long off = arena.allocate(100);
      assertTrue(off > 0);
      AllocatorStats.Snapshot a = find("arena:sessions.arena").orElseThrow().stats();
      assertEquals("arena", a.kind());
      assertEquals(arena.capacity() - arena.dataOffset(), a.capacity());
      assertTrue(a.used() >= 100, a.toString());
      assertEquals(1, a.allocations());

      try (Allocator alloc = new Allocator(pool, 0)) {
        Slice s = alloc.alloc(1000);
        assertEquals(4096, find(pool.allocatorName()).orElseThrow().stats().used());
        s.release();
      }
      numbers.allocate();
      numbers.allocate();
      AllocatorStats.Snapshot n = find("numbers:ids.numbers").orElseThrow().stats();
      assertEquals(2, n.used());
      assertEquals(100, n.capacity());
    } finally {
      arena.close();
      pool.close();
      numbers.close();
    }
    assertTrue(find("arena:sessions.arena").isEmpty());
    assertTrue(find(pool.allocatorName()).isEmpty());
    assertTrue(find("numbers:ids.numbers").isEmpty());
  }

  @Test
  void namesAreUniqueUserNamesWinAndPoolNumbersAreNotReused() throws IOException {
    try (Arena a1 = Arena.anonymous(Arena.Options.defaults().capacity(1 << 16).name("cache"));
        Arena a2 = Arena.anonymous(Arena.Options.defaults().capacity(1 << 16).name("cache"));
        Arena a3 = Arena.anonymous(Arena.Options.defaults().capacity(1 << 16));
        Arena f1 = Arena.open(dir.resolve("x.arena"), Arena.Options.defaults().capacity(1 << 16));
        Arena f2 = Arena.open(dir.resolve("x.arena"), Arena.Options.defaults())) {
      assertEquals("cache", a1.allocatorName());
      assertEquals("cache-2", a2.allocatorName());
      assertTrue(a3.allocatorName().matches("arena:anonymous:\\d+"), a3.allocatorName());
      assertEquals("arena:x.arena", f1.allocatorName());
      assertEquals("arena:x.arena-2", f2.allocatorName()); // second handle of the same file
    }
    Pool p1 = new Pool("http-buffers", 0, Long.MAX_VALUE, false, System.err::println);
    Pool p2 = new Pool();
    String second = p2.allocatorName();
    p2.close();
    Pool p3 = new Pool();
    try {
      assertEquals("http-buffers", p1.allocatorName());
      assertTrue(Integer.parseInt(p3.allocatorName().substring(5)) > Integer.parseInt(second.substring(5)),
          second + " then " + p3.allocatorName());
      Pool reserved = new Pool(AllocatorSource.BARREL_SLOTS, 0, Long.MAX_VALUE, false, System.err::println);
      assertEquals(AllocatorSource.BARREL_SLOTS + "-2", reserved.allocatorName());
      reserved.close();
    } finally {
      p1.close();
      p3.close();
    }
  }

  @Test
  void listenersSeeArrivalsDeparturesAndCollectedAllocators() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    AllocatorRegistry.Listener l = new AllocatorRegistry.Listener() {
      @Override
      public void added(AllocatorSource s) {
        events.add("+" + s.name());
      }

      @Override
      public void removed(String name) {
        events.add("-" + name);
      }
    };
    AllocatorRegistry.addListener(l);
    try {
      Pool p = new Pool("listened", 0, Long.MAX_VALUE, false, System.err::println);
      p.close();
      assertTrue(events.containsAll(List.of("+listened", "-listened")), events.toString());

      String forgotten = registerAndForget();
      assertTrue(find(forgotten).isPresent() || events.contains("-" + forgotten));
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!events.contains("-" + forgotten) && System.nanoTime() < deadline) {
        System.gc();
        Thread.sleep(20);
        AllocatorRegistry.sources(); // reading prunes
      }
      assertTrue(events.contains("-" + forgotten), "a collected, never closed pool is dropped: " + events);
      assertTrue(find(forgotten).isEmpty());
    } finally {
      AllocatorRegistry.removeListener(l);
    }
  }

  private static String registerAndForget() {
    return new Pool("forgotten", 0, Long.MAX_VALUE, false, System.err::println).allocatorName();
  }

  /**
   * The agent's core is in the system class loader; an application (a web app, a plugin) may
   * load its own copy of rainbarrel-core child-first. Its arena must still appear in the system
   * copy's registry, which the agent's JMX, JFR and Barrel publisher read.
   */
  @Test
  void anArenaOfAnotherClassLoadersCoreAppearsInTheSystemLoadersRegistry() throws Exception {
    assertFalse(AllocatorRegistry.forwardsToSystemLoader(), "the test's core is the system loader's");
    URL core = AllocatorRegistry.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader app = new ChildFirst(new URL[] {core}, AllocatorRegistryTest.class.getClassLoader())) {
      Class<?> appArena = Class.forName("dev.rainbarrel.arena.Arena", true, app);
      Class<?> appRegistry = Class.forName(AllocatorRegistry.class.getName(), true, app);
      assertNotSame(Arena.class, appArena, "the application has its own copy of core");
      assertEquals(Boolean.TRUE, appRegistry.getMethod("forwardsToSystemLoader").invoke(null));

      Class<?> appOptions = Class.forName("dev.rainbarrel.arena.Arena$Options", true, app);
      Object o = appOptions.getMethod("defaults").invoke(null);
      o = appOptions.getMethod("capacity", long.class).invoke(o, 1L << 16);
      o = appOptions.getMethod("name", String.class).invoke(o, "webapp-arena");
      Object arena = appArena.getMethod("anonymous", appOptions).invoke(null, o);
      try {
        assertEquals("webapp-arena", appArena.getMethod("allocatorName").invoke(arena));
        long off = (long) appArena.getMethod("allocate", long.class).invoke(arena, 200L);
        assertTrue(off > 0);
        AllocatorStats.Snapshot s = find("webapp-arena").orElseThrow(
            () -> new AssertionError("not in the system registry: " + AllocatorRegistry.sources())).stats();
        assertEquals("arena", s.kind());
        assertEquals(1, s.allocations());
        assertTrue(s.used() >= 200, s.toString());
        // and the application's own copy holds nothing: one registry per process
        assertEquals(List.of(), appRegistry.getMethod("sources").invoke(null));
      } finally {
        appArena.getMethod("close").invoke(arena);
      }
      assertTrue(find("webapp-arena").isEmpty(), "closed in the application, gone from the registry");
    }
  }

  @Test
  void gaugesCarryTheFiguresIntoTheBarrelAndAreRemovedWhenTheAllocatorLeaves() throws IOException {
    try (Barrel barrel = Barrel.open(dir.resolve("b.barrel"))) {
      AllocatorGauges gauges = new AllocatorGauges(barrel);
      Arena arena = Arena.anonymous(Arena.Options.defaults().capacity(1 << 16).name("published"));
      arena.allocate(64);
      gauges.publish(AllocatorRegistry.sources());
      Map<String, Long> m = AllocatorGauges.read(barrel).get("published");
      AllocatorStats.Snapshot s = arena.statsSnapshot();
      assertEquals(s.capacity(), m.get("capacity"));
      assertEquals(s.used(), m.get("used"));
      assertEquals(1L, m.get("allocations"));
      assertEquals(1L, m.get("unitBytes"));
      assertEquals(AllocatorGauges.FIGURES, new ArrayList<>(m.keySet()));
      arena.allocate(64);
      gauges.publish(AllocatorRegistry.sources());
      assertEquals(2L, AllocatorGauges.read(barrel).get("published").get("allocations"));
      arena.close();
      gauges.publish(AllocatorRegistry.sources());
      assertNull(AllocatorGauges.read(barrel).get("published"));
      assertFalse(gauges.publishedNames().contains("published"));
    }
  }

  @Test
  void longNamesAreCutToTheLabelLimit() {
    String label = AllocatorGauges.label("arena:" + "é".repeat(100));
    assertTrue(label.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 128);
    assertTrue(label.startsWith("arena:éé"));
  }

  /** Loads dev.rainbarrel.* itself before asking the parent (as web application loaders do). */
  static final class ChildFirst extends URLClassLoader {
    ChildFirst(URL[] urls, ClassLoader parent) {
      super(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("dev.rainbarrel.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          try {
            c = findClass(name);
          } catch (ClassNotFoundException e) {
            c = super.loadClass(name, false);
          }
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }
}
