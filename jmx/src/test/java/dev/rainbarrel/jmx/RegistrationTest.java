package dev.rainbarrel.jmx;

import dev.rainbarrel.alloc.AllocatorSource;
import dev.rainbarrel.arena.Arena;
import dev.rainbarrel.iobuf.Pool;
import dev.rainbarrel.alloc.AllocatorStats;
import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Registration life cycle on private MBeanServers. */
@Timeout(60)
class RegistrationTest {

  @TempDir Path dir;

  @Test
  void listenerBeansFollowTheWatcherAndCloseUnregistersAll() throws Exception {
    MBeanServer server = MBeanServerFactory.newMBeanServer();
    try (ServerSocket s = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
        Barrel barrel = Barrel.open(dir.resolve("r.barrel"))) {
      String addr = "127.0.0.1:" + s.getLocalPort();
      Watcher w = Watcher.create(barrel, WatcherConfig.defaults().withListeners(List.of(ListenAddress.parse(addr))));
      w.sampleOnce(); // the listener exists before registration: replayed to the new subscriber
      RainbarrelMBeans.Registration r = RainbarrelMBeans.register(server, barrel, w, null, List.of(
          AllocatorSource.of("test_pool", "test buffers",
              () -> new AllocatorStats.Snapshot("test", "units", 100, 40, 60, 7, 3, 1, 5, 2, 9, 64))));
      assertTrue(r.isRegistered());
      ObjectName l = RainbarrelMBeans.listenerName(addr);
      assertTrue(server.isRegistered(l));
      ObjectName pool = RainbarrelMBeans.allocatorName("test_pool");
      // one distinct figure per attribute: a getter reading another field shows
      assertEquals("test_pool", server.getAttribute(pool, "Name"));
      assertEquals("test buffers", server.getAttribute(pool, "Kind"));
      assertEquals(100L, server.getAttribute(pool, "Capacity"));
      assertEquals(40L, server.getAttribute(pool, "Used"));
      assertEquals(60L, server.getAttribute(pool, "Free"));
      assertEquals(7L, server.getAttribute(pool, "Allocations"));
      assertEquals(3L, server.getAttribute(pool, "Frees"));
      assertEquals(1L, server.getAttribute(pool, "Failures"));
      assertEquals(5L, server.getAttribute(pool, "Discarded"));
      assertEquals(2L, server.getAttribute(pool, "LiveProcesses"));
      assertEquals(9L, server.getAttribute(pool, "Reclaimed"));
      assertEquals(64L, server.getAttribute(pool, "UnitBytes"));
      assertEquals(12, server.getMBeanInfo(pool).getAttributes().length, "every attribute is checked above");
      w.close(); // reports the listener removed
      assertFalse(server.isRegistered(l), "watcher close removes the listener bean");
      r.close();
      assertTrue(server.queryNames(new ObjectName("rainbarrel:*"), null).isEmpty(), "close unregisters everything");
      r.close(); // idempotent
    }
  }

  @Test
  void everyArenaAndPoolOfTheProcessGetsABeanWhileItIsOpen() throws Exception {
    MBeanServer server = MBeanServerFactory.newMBeanServer();
    Arena before = Arena.open(dir.resolve("before.arena"), Arena.Options.defaults().capacity(1 << 16));
    RainbarrelMBeans.Registration r = RainbarrelMBeans.register(server, null, null, null, List.of());
    try {
      ObjectName b = RainbarrelMBeans.allocatorName(before.allocatorName());
      assertTrue(server.isRegistered(b), "an arena open before registration is replayed");

      Arena arena = Arena.open(dir.resolve("sessions.arena"), Arena.Options.defaults().capacity(1 << 16));
      ObjectName n = RainbarrelMBeans.allocatorName("arena:sessions.arena");
      assertTrue(server.isRegistered(n), "opening an arena registers its bean");
      long off = arena.allocate(1000);
      assertTrue(off > 0);
      assertEquals(arena.capacity() - arena.dataOffset(), server.getAttribute(n, "Capacity"));
      long used = (Long) server.getAttribute(n, "Used");
      assertTrue(used >= 1000, "used " + used);
      assertEquals(1L, server.getAttribute(n, "Allocations"));
      assertEquals(arena.capacity() - arena.dataOffset() - used, server.getAttribute(n, "Free"));
      assertEquals(1L, server.getAttribute(n, "UnitBytes"));
      arena.close();
      assertFalse(server.isRegistered(n), "closing the arena unregisters its bean");

      Pool pool = new Pool("test-buffers", 0, 1 << 20, false, System.err::println);
      ObjectName p = RainbarrelMBeans.allocatorName("test-buffers");
      assertEquals((long) (1 << 20), server.getAttribute(p, "Capacity"));
      pool.close();
      assertFalse(server.isRegistered(p));
    } finally {
      before.close();
      r.close();
    }
    assertTrue(server.queryNames(new ObjectName("rainbarrel:*"), null).isEmpty());
    Arena after = Arena.anonymous(Arena.Options.defaults().capacity(1 << 16));
    try {
      assertTrue(server.queryNames(new ObjectName("rainbarrel:*"), null).isEmpty(),
          "a closed registration no longer follows the registry");
    } finally {
      after.close();
    }
  }

  @Test
  void registrationWaitsWhileThePlatformServerIsUnsafe() throws Exception {
    MBeanServer server = MBeanServerFactory.newMBeanServer();
    AtomicReference<String> unsafe = new AtomicReference<>("container logging not ready");
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    RainbarrelMBeans.Registration r;
    try {
      r = RainbarrelMBeans.register(() -> server, unsafe::get, null, null, AgentInfo.defaults(), List.of(),
          Duration.ofSeconds(30));
      assertFalse(r.isRegistered());
      assertEquals("container logging not ready", r.pendingReason());
      Thread.sleep(400);
      assertFalse(server.isRegistered(RainbarrelMBeans.agentName()), "nothing registered while unsafe");
      unsafe.set(null);
      assertTrue(r.awaitRegistered(Duration.ofSeconds(10)));
    } finally {
      System.setErr(oldErr);
    }
    assertTrue(server.isRegistered(RainbarrelMBeans.agentName()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("registration deferred: container logging not ready"));
    r.close();
  }

  @Test
  void givingUpAndBrokenServersNeverThrow() throws Exception {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      RainbarrelMBeans.Registration r = RainbarrelMBeans.register(MBeanServerFactory::newMBeanServer,
          () -> "never safe", null, null, null, null, Duration.ofMillis(300));
      assertFalse(r.awaitRegistered(Duration.ofSeconds(10)));
      RainbarrelMBeans.Registration broken = RainbarrelMBeans.register(() -> {
        throw new IllegalStateException("no server here");
      }, () -> null, null, null, null, null, Duration.ZERO);
      assertFalse(broken.isRegistered());
    } finally {
      System.setErr(oldErr);
    }
    String printed = err.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("not registering MBeans after waiting"), printed);
    assertTrue(printed.contains("no server here"), printed);
  }

  @Test
  void gateRecognisesAnUnloadableLogManager() {
    String old = System.getProperty(PlatformServerGate.LOG_MANAGER_PROPERTY);
    try {
      System.clearProperty(PlatformServerGate.LOG_MANAGER_PROPERTY);
      assertNull(PlatformServerGate.unsafeReason());
      System.setProperty(PlatformServerGate.LOG_MANAGER_PROPERTY, "java.util.logging.LogManager");
      assertNull(PlatformServerGate.unsafeReason(), "a loadable manager is safe");
      System.setProperty(PlatformServerGate.LOG_MANAGER_PROPERTY, "org.jboss.logmanager.LogManager");
      if (MBeanServerFactory.findMBeanServer(null).isEmpty()) {
        String why = PlatformServerGate.unsafeReason();
        assertNotNull(why);
        assertTrue(why.contains("org.jboss.logmanager.LogManager"), why);
      } else {
        assertNull(PlatformServerGate.unsafeReason(), "an existing MBeanServer means the container is up");
      }
    } finally {
      if (old == null) {
        System.clearProperty(PlatformServerGate.LOG_MANAGER_PROPERTY);
      } else {
        System.setProperty(PlatformServerGate.LOG_MANAGER_PROPERTY, old);
      }
    }
  }
}
