package dev.rainbarrel.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.net.ListenAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CPU budget that spaces the rounds counting {@code active}: pure arithmetic with scripted
 * costs (no timing), then the watcher driven by a scripted sampler and a fake CPU clock.
 */
@Timeout(30)
class ActiveScheduleTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long US = 1_000L;

  /** Runs n rounds where a full round costs {@code full} ns and a queue round {@code queue} ns. */
  private static List<Boolean> run(ActiveSchedule s, int n, long full, long queue) {
    List<Boolean> fulls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean f = s.fullDue();
      fulls.add(f);
      if (f) {
        s.fullRound(full);
      } else {
        s.queueRound(queue);
      }
    }
    return fulls;
  }

  @Test
  void cheapFullRoundsRunEveryRound() {
    // netlink on a quiet host: 600 us per full round, budget 0.08 % of a core at 1 s = 800 us
    ActiveSchedule s = new ActiveSchedule(SECOND, 0.0008, 30 * SECOND, 30 * SECOND);
    List<Boolean> fulls = run(s, 20, 600 * US, 100 * US);
    assertTrue(fulls.stream().allMatch(f -> f), fulls.toString());
    assertEquals(1, s.everyRounds());
  }

  @Test
  void expensiveFullRoundsAreSpacedToKeepTheAverageInBudget() {
    // /proc with many host sockets: 5 ms per full round, 100 us per queue round
    ActiveSchedule s = new ActiveSchedule(SECOND, 0.0008, 30 * SECOND, 30 * SECOND);
    List<Boolean> fulls = run(s, 20 * 7, 5000 * US, 100 * US); // whole periods
    // first full round: no queue cost known yet -> ceil(5000 / 800) = 7
    assertEquals(List.of(true, false, false, false, false, false, false, true), fulls.subList(0, 8));
    // from then on with q = 100: ceil(4900 / 700) = 7 rounds apart
    assertEquals(7, s.everyRounds());
    long cost = 0;
    for (boolean f : fulls) {
      cost += f ? 5000 * US : 100 * US;
    }
    double perRound = (double) cost / fulls.size();
    assertTrue(perRound <= 800 * US, "average " + perRound / US + " us per round is within 800 us");
    assertEquals(100 * US, s.queueCostNanos());
    assertEquals(5000 * US, s.fullCostNanos());
  }

  @Test
  void stalenessBoundWinsOverTheBudget() {
    // 90 ms per full round would need 113 rounds apart; the bound is 30 s = 30 rounds
    ActiveSchedule s = new ActiveSchedule(SECOND, 0.0008, 30 * SECOND, 30 * SECOND);
    List<Boolean> fulls = run(s, 61, 90_000 * US, 100 * US);
    assertEquals(30, s.everyRounds());
    assertTrue(fulls.get(0) && fulls.get(30) && fulls.get(60), "full at rounds 0, 30, 60");
    assertEquals(3, fulls.stream().filter(f -> f).count());
  }

  /** Average CPU per round of a run. */
  private static double average(List<Boolean> fulls, long full, long queue) {
    long cost = 0;
    for (boolean f : fulls) {
      cost += f ? full : queue;
    }
    return (double) cost / fulls.size();
  }

  @Test
  void boundYieldsToTheBudgetWhenKeepingItWouldBreakTheTarget() {
    // a server with 5 000 connections of its own (BENCHMARKS.md, Watcher): full rounds 6.3 ms,
    // queue rounds 450 us. Every 10 s would average 450 + 5850 / 10 = 1035 us, over 0.1 %.
    ActiveSchedule strict = new ActiveSchedule(SECOND, 0.0008, 10 * SECOND, 10 * SECOND);
    run(strict, 12, 6300 * US, 450 * US);
    assertEquals(10, strict.everyRounds(), "a strict bound holds whatever it costs");

    ActiveSchedule s = new ActiveSchedule(SECOND, 0.0008, 10 * SECOND, 30 * SECOND);
    run(s, 12, 6300 * US, 450 * US);
    assertEquals(17, s.everyRounds(), "the budget spaces them: ceil(5850 / 350)");
    List<Boolean> steady = run(s, 17 * 4, 6300 * US, 450 * US); // whole periods
    assertEquals(4, steady.stream().filter(f -> f).count());
    double perRound = average(steady, 6300 * US, 450 * US);
    assertTrue(perRound <= 800 * US, "average " + perRound / US + " us per round is within the budget");

    // 20 ms full rounds (tens of thousands of host connections) would need 56 rounds: 30 s at most
    s.fullRound(20_000 * US);
    assertEquals(30, s.everyRounds(), "the hard bound holds whatever it costs");
  }

  @Test
  void boundHoldsWhileItKeepsTheWatcherWithinTheTarget() {
    // full 4.5 ms, queue 450 us: the budget alone would say ceil(4050 / 350) = 12 rounds, but every
    // 10 s averages 450 + 405 = 855 us, within 1.25 x 800 us: the bound is kept
    ActiveSchedule s = new ActiveSchedule(SECOND, 0.0008, 10 * SECOND, 30 * SECOND);
    run(s, 12, 4500 * US, 450 * US);
    assertEquals(10, s.everyRounds());
  }

  @Test
  void boundIsKeptWhenQueueRoundsAloneExceedTheBudget() {
    // 100 ms interval: budget 80 us per round, queue rounds cost 400 us. Relaxing the bound cannot
    // bring the watcher within its target, so active stays at most 10 s (100 rounds) old.
    ActiveSchedule s = new ActiveSchedule(SECOND / 10, 0.0008, 10 * SECOND, 30 * SECOND);
    run(s, 3, 5000 * US, 400 * US);
    s.fullRound(5000 * US);
    assertEquals(100, s.everyRounds(), "ceil(4600 / 20) = 230, bounded by 10 s, not 30 s");
  }

  @Test
  void activeKeepsAQuarterOfTheBudgetWhenQueueRoundsUseItAll() {
    // queue rounds cost 900 us, over the 800 us budget: active still gets 200 us per round
    ActiveSchedule over = new ActiveSchedule(SECOND, 0.0008, 10 * SECOND, 10 * SECOND);
    run(over, 3, 2000 * US, 900 * US);
    over.fullRound(2000 * US);
    assertEquals(6, over.everyRounds(), "ceil((2000 - 900) / 200)");
    over.fullRound(5000 * US);
    assertEquals(10, over.everyRounds(), "ceil(4100 / 200) = 21, bounded by 10 s");
  }

  @Test
  void intervalScalesTheBudgetAndForcedRoundsComeAtOnce() {
    // 100 ms interval: budget 80 us per round, so a 600 us full round is 8 rounds apart (0.8 s)
    ActiveSchedule s = new ActiveSchedule(SECOND / 10, 0.0008, 30 * SECOND, 30 * SECOND);
    s.fullRound(600 * US);
    assertEquals(8, s.everyRounds());
    assertFalse(s.fullDue());
    s.forceFull();
    assertTrue(s.fullDue(), "a new listener is counted at once");
  }

  @Test
  void watcherSpacesFullSamplesAndKeepsActiveBetweenThem() {
    String addr = "127.0.0.1:9";
    ScriptedSampler sampler = new ScriptedSampler();
    for (int i = 0; i < 12; i++) {
      sampler.then(10 + i, i); // active 10.., queued 0..
    }
    // fake CPU clock: a full sample costs 2 000 us, a queue-only one 100 us
    LongSupplier cpu = () -> (sampler.calls - sampler.queueCalls) * 2000 * US + sampler.queueCalls * 100 * US;
    WatcherConfig c = WatcherConfig.defaults().withHostCounters(false)
        .withActiveBudget(0.0005, Duration.ofSeconds(10))
        .withListeners(List.of(ListenAddress.parse(addr)));
    AtomicLong wall = new AtomicLong(1000);
    try (Watcher w = Watcher.create(null, c, sampler, wall::get, cpu)) {
      assertEquals(1000, w.activePeriodMillis(), "before any round: the interval");
      List<Long> actives = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        wall.addAndGet(1000);
        w.sampleOnce();
        actives.add(w.listener(addr).active());
      }
      // budget 500 us per round. Round 0: queue cost unknown, ceil(2000 / 500) = 4 rounds apart;
      // round 4: queue cost 100, ceil(1900 / 400) = 5 rounds apart: full rounds 0, 4, 9
      assertEquals(List.of(10L, 10L, 10L, 10L, 14L, 14L, 14L, 14L, 14L, 19L, 19L, 19L), actives);
      assertEquals(3, w.activeRounds());
      assertEquals(5000, w.activePeriodMillis());
      assertEquals(12, sampler.calls);
      assertEquals(9, sampler.queueCalls);
      WatchedListener l = w.listener(addr);
      assertEquals(12, l.queuedStats().count(), "queued is sampled every round");
      assertEquals(3, l.activeStats().count(), "active only in the rounds that counted it");
      assertEquals(19, l.activeStats().max());
      assertEquals(11, l.queued(), "latest queued");
      assertEquals(11_000, l.activeAtMillis(), "active counted at round 9 (wall 11 000)");
      assertEquals(100 * US, w.lastRoundCpuNanos());
      // 3 full + 9 queue rounds: (6000 + 900) / 12 = 575 us; the spacing keeps the long-run
      // average under budget (q + (f - q) / 5 = 480 us), the first round had no queue cost yet
    }
  }

  @Test
  void firstRoundCountsActiveThenRoundsAreSpaced() {
    ScriptedSampler sampler = new ScriptedSampler();
    for (int i = 0; i < 6; i++) {
      sampler.then(7, 1);
    }
    AtomicLong cpu = new AtomicLong();
    WatcherConfig c = WatcherConfig.defaults().withHostCounters(false)
        .withListeners(List.of(ListenAddress.parse("127.0.0.1:9"), ListenAddress.parse("127.0.0.1:10")));
    try (Watcher w = Watcher.create(null, c, sampler, System::currentTimeMillis,
        () -> cpu.addAndGet(5_000 * US))) { // every reading 5 ms later: 5 ms a round
      w.sampleOnce();
      assertEquals(1, w.activeRounds(), "first round counts active");
      w.sampleOnce();
      w.sampleOnce();
      assertEquals(1, w.activeRounds(), "then spaced");
      assertEquals(2, sampler.queueCalls);
      assertEquals(7, w.listener("127.0.0.1:10").active(), "active kept between full rounds");
      assertEquals(7, w.listener("127.0.0.1:10").activeStats().count() + 6, "one active sample");
      assertEquals(7_000, w.activePeriodMillis(), "ceil(5000 / 800) = 7 rounds of 1 s");
    }
  }

  @Test
  void watcherWithTheDefaultsLetsTheBudgetSpaceExpensiveFullRounds() {
    ScriptedSampler sampler = new ScriptedSampler();
    for (int i = 0; i < 30; i++) {
      sampler.then(5000, 0);
    }
    // fake CPU clock: a full sample costs 6 300 us, a queue-only one 450 us
    LongSupplier cpu = () -> (sampler.calls - sampler.queueCalls) * 6300 * US + sampler.queueCalls * 450 * US;
    WatcherConfig c = WatcherConfig.defaults().withHostCounters(false)
        .withListeners(List.of(ListenAddress.parse("127.0.0.1:9")));
    assertEquals(Duration.ofSeconds(10), c.activeMaxPeriod());
    assertEquals(Duration.ofSeconds(30), c.activeHardMaxPeriod());
    AtomicLong wall = new AtomicLong(1000);
    try (Watcher w = Watcher.create(null, c, sampler, wall::get, cpu)) {
      for (int i = 0; i < 30; i++) {
        wall.addAndGet(1000);
        w.sampleOnce();
      }
      // round 0: no queue cost yet, ceil(6300 / 800) = 8 apart; round 8: ceil(5850 / 350) = 17
      assertEquals(17_000, w.activePeriodMillis());
      assertEquals(3, w.activeRounds(), "full rounds 0, 8 and 25");
    }
  }

  @Test
  void onItsOwnThreadARoundIsChargedWithWhatTheThreadDidSinceThePreviousOne() throws Exception {
    ScriptedSampler sampler = new ScriptedSampler();
    for (int i = 0; i < 1000; i++) {
      sampler.then(3, 0);
    }
    AtomicLong between = new AtomicLong(); // CPU the thread spends outside its rounds
    // fake CPU clock of the watcher thread: a full sample 2 000 us, a queue-only one 100 us, and
    // 300 us in a callback after each round (as waking up and the JFR/JMX callbacks cost)
    LongSupplier cpu = () -> (sampler.calls - sampler.queueCalls) * 2000 * US + sampler.queueCalls * 100 * US
        + between.get();
    WatcherConfig c = WatcherConfig.defaults().withHostCounters(false).withInterval(Duration.ofMillis(10))
        .withListeners(List.of(ListenAddress.parse("127.0.0.1:9")));
    try (Watcher w = Watcher.create(null, c, sampler, System::currentTimeMillis, cpu)) {
      w.addListener(new WatcherListener() {
        @Override
        public void sampled(long epochMillis) {
          between.addAndGet(300 * US);
        }
      });
      w.sampleOnce();
      assertEquals(2000 * US, w.lastRoundCpuNanos(), "another thread's round counts itself only");
      w.startThread();
      long deadline = System.nanoTime() + 10 * SECOND;
      while (w.rounds() < 6 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      w.close();
      assertTrue(w.rounds() >= 6, "rounds: " + w.rounds());
      long last = w.lastRoundCpuNanos();
      assertTrue(last == 400 * US || last == 2300 * US,
          "a round on the watcher thread = its own CPU + the 300 us since the previous one: " + last / US);
    }
  }

  @Test
  void badBudgetsAreRejectedWithTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WatcherConfig.defaults().withActiveBudget(0, Duration.ofSeconds(5)));
    assertTrue(e.getMessage().contains("0.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> WatcherConfig.defaults().withActiveBudget(0.001, Duration.ofMillis(500)));
    assertTrue(e.getMessage().contains("at least the interval"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> WatcherConfig.defaults().withActiveBudget(0.001, Duration.ofSeconds(20), Duration.ofSeconds(15)));
    assertTrue(e.getMessage().contains("at least the max period (20000ms)"), e.getMessage());
  }
}
