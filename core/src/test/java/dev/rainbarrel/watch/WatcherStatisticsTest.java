package dev.rainbarrel.watch;

import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.stats.SampleSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The watcher's per-listener aggregates against values computed by hand for a fixed series. */
@Timeout(30)
class WatcherStatisticsTest {

  static final String ADDR = "127.0.0.1:9";
  static final WatcherConfig ONE =
      WatcherConfig.defaults().withHostCounters(false).withActiveEveryRound()
          .withListeners(List.of(ListenAddress.parse(ADDR)));

  @Test
  void queuedSeriesMatchesHandComputedStatistics() {
    // queued: 0 3 5 5 1 0 8 2 at t = 1000, 2000, ... 8000; active is 2 throughout.
    long[] queued = {0, 3, 5, 5, 1, 0, 8, 2};
    ScriptedSampler s = new ScriptedSampler();
    for (long q : queued) {
      s.then(2, q);
    }
    AtomicLong clock = new AtomicLong(0);
    try (Watcher w = Watcher.create(null, ONE, s, clock::get)) {
      for (int i = 0; i < queued.length; i++) {
        clock.set(1000L * (i + 1));
        w.sampleOnce();
      }
      WatchedListener l = w.listener(ADDR);
      assertNotNull(l, "configured listener is watched");
      SampleSnapshot q = l.queuedStats();
      assertEquals(8, q.count());
      assertEquals(0, q.min());
      assertEquals(8, q.max());
      assertEquals(24, q.sum());
      assertEquals(3.0, q.mean(), 0.0);
      // deviations from 3: -3 0 2 2 -2 -3 5 -1; squares sum to 56; 56 / (8 - 1) = 8
      assertEquals(Math.sqrt(8.0), q.stddev(), 1e-12);
      assertEquals(2, q.outliersLow(), "the two zeros");
      assertEquals(0, q.outliersHigh());
      // log2 buckets: 1 -> [1,2); 2,3 -> [2,4); 5,5 -> [4,8); 8 -> [8,16)
      assertEquals(1, q.log2Count(0));
      assertEquals(2, q.log2Count(1));
      assertEquals(2, q.log2Count(2));
      assertEquals(1, q.log2Count(3));
      // sorted 0 0 1 2 3 5 5 8: p50 = 4th = 2, p90 = 8th = 8, p99 = 8
      assertEquals(2, q.p50());
      assertEquals(8, q.p90());
      assertEquals(8, q.p99());
      assertEquals(2, q.current());
      // peaks: 3 at t2 (new max), 5 at t3 (new max), 5 at t4 (ties: last only), 8 at t7 (new max)
      assertEquals(7000, q.firstPeakAtMillis());
      assertEquals(7000, q.lastPeakAtMillis());
      assertEquals(1000, q.lastResetMillis(), "created at the first round's time");

      SampleSnapshot a = l.activeStats();
      assertEquals(8, a.count());
      assertEquals(2, a.min());
      assertEquals(2, a.max());
      assertEquals(0.0, a.stddev(), 0.0);
      assertEquals(1000, a.firstPeakAtMillis(), "first sample is the max");
      assertEquals(8000, a.lastPeakAtMillis(), "ties move the last peak");
      assertEquals(8, a.log2Count(1));
      assertEquals(2, l.active());
      assertEquals(2, l.queued());
      assertEquals(128, l.backlog());
    }
  }

  @Test
  void tiePeakMovesOnlyLastPeak() {
    ScriptedSampler s = new ScriptedSampler().then(0, 4).then(0, 1).then(0, 4).then(0, 0);
    AtomicLong clock = new AtomicLong();
    try (Watcher w = Watcher.create(null, ONE, s, clock::get)) {
      for (int i = 1; i <= 4; i++) {
        clock.set(i * 10L);
        w.sampleOnce();
      }
      SampleSnapshot q = w.listener(ADDR).queuedStats();
      assertEquals(10, q.firstPeakAtMillis());
      assertEquals(30, q.lastPeakAtMillis());
      assertEquals(1, q.outliersLow());
    }
  }

  @Test
  void resetClearsAggregatesButKeepsCurrent() {
    ScriptedSampler s = new ScriptedSampler().then(1, 7).then(1, 9).then(1, 2);
    AtomicLong clock = new AtomicLong(5);
    try (Watcher w = Watcher.create(null, ONE, s, clock::get)) {
      w.sampleOnce();
      w.sampleOnce();
      WatchedListener l = w.listener(ADDR);
      long before = System.currentTimeMillis();
      l.reset();
      SampleSnapshot q = l.queuedStats();
      assertEquals(0, q.count());
      assertEquals(0, q.max());
      assertEquals(9, q.current(), "current survives a reset");
      assertTrue(q.lastResetMillis() >= before);
      w.sampleOnce();
      q = l.queuedStats();
      assertEquals(1, q.count());
      assertEquals(2, q.min());
      assertEquals(2, q.max());
    }
  }

  @Test
  void samplingErrorsAreReportedOnceAndTheWatcherGoesOn() {
    ScriptedSampler s = new ScriptedSampler()
        .thenFail("netlink said no").thenFail("netlink said no again").then(0, 3).thenFail("third");
    List<String> events = new ArrayList<>();
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (Watcher w = Watcher.create(null, ONE, s, System::currentTimeMillis)) {
      w.addListener(new WatcherListener() {
        @Override
        public void sampled(long epochMillis) {
          events.add("round");
          throw new IllegalStateException("a broken callback");
        }
      });
      for (int i = 0; i < 4; i++) {
        w.sampleOnce();
      }
      assertEquals(4, w.rounds(), "every round completed");
      assertEquals(4, events.size(), "callback called every round despite throwing");
      assertEquals(3 + 4, w.errors(), "three sampling failures and four callback failures counted");
      SampleSnapshot q = w.listener(ADDR).queuedStats();
      assertEquals(1, q.count(), "only the successful round added a sample");
      assertEquals(3, q.max());
    } finally {
      System.setErr(oldErr);
    }
    String printed = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, count(printed, "sampling listeners failed"), printed);
    assertTrue(printed.contains("netlink said no"), printed);
    assertEquals(1, count(printed, "callback failed"), printed);
    assertTrue(s.closed, "close() closes the sampler");
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void listenerBoundIsEnforced() {
    List<ListenAddress> many = new ArrayList<>();
    for (int p = 1; p <= 5; p++) {
      many.add(ListenAddress.parse("127.0.0.1:" + p));
    }
    WatcherConfig c = WatcherConfig.defaults().withHostCounters(false).withListeners(many).withMaxListeners(3);
    PrintStream oldErr = System.err;
    System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try (Watcher w = Watcher.create(null, c, new ScriptedSampler(), System::currentTimeMillis)) {
      w.sampleOnce();
      assertEquals(3, w.listeners().size());
      assertEquals("127.0.0.1:1", w.listeners().get(0).address());
    } finally {
      System.setErr(oldErr);
    }
  }

  @Test
  void badConfigurationIsRejectedWithTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WatcherConfig.defaults().withInterval(java.time.Duration.ofMillis(1)));
    assertTrue(e.getMessage().contains("PT0.001S"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> WatcherConfig.defaults().withMaxListeners(0));
    assertTrue(e.getMessage().contains("0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> WatcherConfig.defaults().withListeners("127.0.0.1:x"));
    assertTrue(e.getMessage().contains("127.0.0.1:x"), e.getMessage());
    assertEquals(2, WatcherConfig.defaults().withListeners("127.0.0.1:80; [::1]:81").listeners().size());
  }
}
