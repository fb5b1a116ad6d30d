package dev.rainbarrel.jfr;

import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.alloc.AllocatorSource;
import dev.rainbarrel.alloc.AllocatorStats;
import dev.rainbarrel.arena.Arena;
import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.TcpExtStats;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.StandardNames;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherConfig;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jdk.jfr.Configuration;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.SettingDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** rainbarrel's events seen through an in-process {@link RecordingStream}. */
@Timeout(90)
class JfrStreamTest {

  @TempDir Path dir;

  static RecordedEvent await(BlockingQueue<RecordedEvent> q, Predicate<RecordedEvent> p, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<RecordedEvent> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      RecordedEvent e = q.poll(200, TimeUnit.MILLISECONDS);
      if (e != null) {
        if (p.test(e)) {
          return e;
        }
        seen.add(e);
      }
    }
    throw new AssertionError("no event: " + what + "; saw " + seen.size() + " others, last: "
        + (seen.isEmpty() ? "none" : seen.get(seen.size() - 1)));
  }

  @Test
  void periodicAndOverflowEventsCarryTheWatcherAndBarrelValues() throws Exception {
    List<Socket> clients = new ArrayList<>();
    List<SocketChannel> flood = new ArrayList<>();
    BlockingQueue<RecordedEvent> queue = new LinkedBlockingQueue<>();
    BlockingQueue<RecordedEvent> counters = new LinkedBlockingQueue<>();
    BlockingQueue<RecordedEvent> allocs = new LinkedBlockingQueue<>();
    BlockingQueue<RecordedEvent> overflows = new LinkedBlockingQueue<>();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        Barrel barrel = Barrel.open(dir.resolve("j.barrel"));
        Watcher w = Watcher.create(barrel, WatcherConfig.defaults()
            .withListeners(List.of(ListenAddress.parse("127.0.0.1:" + server.getLocalPort()))));
        RecordingStream rs = new RecordingStream()) {
      String addr = "127.0.0.1:" + server.getLocalPort();
      barrel.counter(StandardNames.REQUESTS).add(7);
      barrel.counter(StandardNames.RESPONSES.get(3)).add(2);
      barrel.gauge(StandardNames.CALLING).set(3);
      RainbarrelJfr.Registration reg = RainbarrelJfr.register(barrel, w, List.of(
          AllocatorSource.of("test_pool", "test", () -> new AllocatorStats.Snapshot("test", "pages", 100, 40, 60, 55, 0, 2, 0, 1, 0, 4096))));
      assertTrue(reg.isActive());
      rs.enable(ListenQueueEvent.NAME).withPeriod(Duration.ofMillis(100));
      rs.enable(CountersEvent.NAME).withPeriod(Duration.ofMillis(100));
      rs.enable(AllocatorEvent.NAME).withPeriod(Duration.ofMillis(100));
      rs.enable(ListenOverflowEvent.NAME);
      rs.onEvent(ListenQueueEvent.NAME, queue::add);
      rs.onEvent(CountersEvent.NAME, counters::add);
      rs.onEvent(AllocatorEvent.NAME, allocs::add);
      rs.onEvent(ListenOverflowEvent.NAME, overflows::add);
      rs.startAsync();

      w.sampleOnce(); // host baseline
      long before = w.hostCounters().listenOverflows();
      // backlog 1: two connections fit in the accept queue, the other handshakes overflow
      clients.add(new Socket("127.0.0.1", server.getLocalPort()));
      clients.add(new Socket("127.0.0.1", server.getLocalPort()));
      for (int i = 0; i < 6; i++) {
        SocketChannel c = SocketChannel.open();
        c.configureBlocking(false);
        c.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()));
        flood.add(c);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (TcpExtStats.read().listenOverflows() == before && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      // The two accepted-queue entries are the kernel's once it has processed their handshakes'
      // last ACKs; wait for that with a sampler of our own (the watcher's sample count is checked
      // below, so it samples exactly once more).
      try (dev.rainbarrel.net.ListenerSampler probe = dev.rainbarrel.net.ListenerSampler.open()) {
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (probe.sample(addr).get(addr).queued() < 2 && System.nanoTime() < settle) {
          Thread.sleep(20);
        }
      }
      w.sampleOnce();
      assertEquals(2, w.listener(addr).queued());

      RecordedEvent lq = await(queue, e -> addr.equals(e.getString("address")) && e.getLong("queued") == 2,
          "ListenQueue " + addr + " queued=2");
      assertEquals(0, lq.getLong("active"));
      assertEquals(2, lq.getLong("queuedMax"));
      assertEquals(2, lq.getLong("samples"));
      assertEquals("Rainbarrel", lq.getEventType().getCategoryNames().get(0));
      assertNull(lq.getStackTrace(), "@StackTrace(false)");

      long hostOverflows = w.hostCounters().listenOverflows();
      RecordedEvent c = await(counters, e -> e.getLong("requests") == 7 && e.getLong("listenOverflows") == hostOverflows,
          "Counters requests=7, listenOverflows=" + hostOverflows + " (written by the watcher's last round)");
      assertEquals(3, c.getLong("calling"));
      assertEquals(2, c.getLong("responses4xx"));

      RecordedEvent pool = await(allocs, e -> "test_pool".equals(e.getString("name")), "Allocator test_pool");
      assertEquals(60, pool.getLong("free"));
      assertEquals(40L * 4096, pool.getLong("usedBytes"));
      RecordedEvent slots = await(allocs, e -> "barrel_slots".equals(e.getString("name")), "Allocator barrel_slots");
      assertTrue(slots.getLong("used") >= 3, "requests, responses_4xx, calling, listener gauges: " + slots);
      assertEquals(slots.getLong("used") * Barrel.SLOT_BYTES, slots.getLong("usedBytes"));

      RecordedEvent o = await(overflows, e -> e.getLong("overflows") > 0, "ListenOverflow");
      assertTrue(o.getLong("listenOverflows") > before);
      assertEquals(addr, o.getString("fullestListener"));
      assertEquals(2, o.getLong("fullestQueued"));
      reg.close();
      assertFalse(reg.isActive());
    } finally {
      for (Socket s : clients) {
        s.close();
      }
      for (SocketChannel s : flood) {
        s.close();
      }
    }
  }

  @Test
  void everyArenaOfTheProcessHasAnAllocatorEventWithoutBeingPassedIn() throws Exception {
    BlockingQueue<RecordedEvent> allocs = new LinkedBlockingQueue<>();
    RainbarrelJfr.Registration reg = RainbarrelJfr.register(null, null, null);
    try (RecordingStream rs = new RecordingStream();
        Arena arena = Arena.open(dir.resolve("jfr.arena"), Arena.Options.defaults().capacity(1 << 16))) {
      assertTrue(reg.isActive());
      arena.allocate(3000);
      rs.enable(AllocatorEvent.NAME).withPeriod(Duration.ofMillis(100));
      rs.onEvent(AllocatorEvent.NAME, allocs::add);
      rs.startAsync();
      RecordedEvent e = await(allocs, x -> "arena:jfr.arena".equals(x.getString("name")), "Allocator arena:jfr.arena");
      assertEquals(arena.capacity() - arena.dataOffset(), e.getLong("capacity"));
      assertTrue(e.getLong("used") >= 3000, e.toString());
      assertEquals(e.getLong("used"), e.getLong("usedBytes"), "unit is one byte");
      assertEquals(1, e.getLong("allocations"));
    } finally {
      reg.close();
    }
  }

  @Test
  void acceptWaitHonoursItsThresholdAndIsOffByDefault() throws Exception {
    RainbarrelJfr.Registration reg = RainbarrelJfr.register(null, null, null);
    EventType type = null;
    for (EventType t : FlightRecorder.getFlightRecorder().getEventTypes()) {
      if (t.getName().equals(AcceptWaitEvent.NAME)) {
        type = t;
      }
    }
    assertNotNull(type, "registered so JMC lists it");
    assertFalse(type.isEnabled(), "off unless a recording enables it");
    boolean hasSetting = false;
    for (SettingDescriptor d : type.getSettingDescriptors()) {
      hasSetting |= d.getName().equals("waitThreshold");
    }
    assertTrue(hasSetting, "waitThreshold setting");
    BlockingQueue<RecordedEvent> waits = new LinkedBlockingQueue<>();
    try (RecordingStream rs = new RecordingStream()) {
      rs.enable(AcceptWaitEvent.NAME).with("waitThreshold", "50 ms");
      rs.onEvent(AcceptWaitEvent.NAME, waits::add);
      rs.startAsync();
      RainbarrelJfr.acceptWait("127.0.0.1:1", 10);
      RainbarrelJfr.acceptWait("127.0.0.1:2", 120);
      RecordedEvent e = await(waits, x -> true, "AcceptWait above the threshold");
      assertEquals("127.0.0.1:2", e.getString("listener"), "the 10 ms wait was filtered out");
      assertEquals(Duration.ofMillis(120), e.getDuration("waitTime"));
    }
    reg.close();
  }

  @Test
  void settingParsing() {
    assertEquals(0, WaitThresholdSetting.parseMillis("0 ms"));
    assertEquals(20, WaitThresholdSetting.parseMillis("20 ms"));
    assertEquals(20, WaitThresholdSetting.parseMillis("20ms"));
    assertEquals(2000, WaitThresholdSetting.parseMillis("2 s"));
    assertEquals(1, WaitThresholdSetting.parseMillis("1000 us"));
    assertEquals(0, WaitThresholdSetting.parseMillis("bogus"));
    WaitThresholdSetting s = new WaitThresholdSetting();
    assertEquals("5 ms", s.combine(java.util.Set.of("20 ms", "5 ms", "1 s")));
  }

  @Test
  void shippedSettingsFileParsesAndCoversEveryEvent() throws Exception {
    Configuration c;
    try (Reader r = new InputStreamReader(
        JfrStreamTest.class.getResourceAsStream("/rainbarrel.jfc"), StandardCharsets.UTF_8)) {
      c = Configuration.create(r);
    }
    assertEquals("Rainbarrel", c.getLabel());
    for (String n : List.of(ListenQueueEvent.NAME, CountersEvent.NAME, AllocatorEvent.NAME,
        ListenOverflowEvent.NAME, AcceptWaitEvent.NAME)) {
      assertEquals("true", c.getSettings().get(n + "#enabled"), n);
    }
    assertEquals("1 s", c.getSettings().get(ListenQueueEvent.NAME + "#period"));
    assertEquals("10 ms", c.getSettings().get(AcceptWaitEvent.NAME + "#waitThreshold"));
  }

  /**
   * The period is a JFR setting, not a timer of ours: a real {@link Recording} with the
   * shipped settings gets about one {@code rainbarrel.Counters} a second, the same recording with
   * {@code rainbarrel.Counters#period=200 ms} about five. Two recordings one after the other (JFR
   * uses the shortest period of concurrent recordings), the same window, counts compared with a
   * wide margin (expected 5x, asserted 3x) for a busy 2-core machine.
   */
  @Test
  void periodSetThroughSettingsChangesTheCadence() throws Exception {
    Map<String, String> shipped;
    try (Reader r = new InputStreamReader(
        JfrStreamTest.class.getResourceAsStream("/rainbarrel.jfc"),
        StandardCharsets.UTF_8)) {
      shipped = Configuration.create(r).getSettings();
    }
    Map<String, String> fast = new HashMap<>(shipped);
    fast.put(CountersEvent.NAME + "#period", "200 ms");
    long window = 3000;
    try (Barrel barrel = Barrel.open(dir.resolve("period.barrel"))) {
      barrel.counter(StandardNames.REQUESTS).add(4321); // tells this barrel's events from others'
      RainbarrelJfr.Registration reg = RainbarrelJfr.register(barrel, null, List.of());
      try {
        assertTrue(reg.isActive(), reg.inactiveReason());
        List<Instant> slowTimes = countersEvents(shipped, window, "slow.jfr");
        List<Instant> fastTimes = countersEvents(fast, window, "fast.jfr");
        String seen = "1 s: " + slowTimes + "\n200 ms: " + fastTimes;
        assertTrue(slowTimes.size() >= 1 && slowTimes.size() <= 5, seen);
        assertTrue(fastTimes.size() >= 8, seen);
        assertTrue(fastTimes.size() >= 3 * slowTimes.size(), seen);
        // and the cadence itself: most gaps of the fast recording are well under a second
        int shortGaps = 0;
        for (int i = 1; i < fastTimes.size(); i++) {
          if (Duration.between(fastTimes.get(i - 1), fastTimes.get(i)).toMillis() < 500) {
            shortGaps++;
          }
        }
        assertTrue(shortGaps >= (fastTimes.size() - 1) * 2 / 3, seen);
      } finally {
        reg.close();
      }
    }
  }

  /** Start times of this test's Counters events (requests 4321) in a recording of the window. */
  private List<Instant> countersEvents(Map<String, String> settings, long millis,
      String file) throws Exception {
    Path out = dir.resolve(file);
    try (Recording r = new Recording()) {
      r.setSettings(settings);
      r.start();
      Thread.sleep(millis);
      r.stop();
      r.dump(out);
    }
    List<Instant> times = new ArrayList<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(out)) {
      if (e.getEventType().getName().equals(CountersEvent.NAME) && e.getLong("requests") == 4321) {
        times.add(e.getStartTime());
      }
    }
    times.sort(null);
    return times;
  }
}
