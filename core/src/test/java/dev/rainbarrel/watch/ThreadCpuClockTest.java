package dev.rainbarrel.watch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The watcher's CPU clock: this thread's scheduler runtime, or wall time without the file. */
@Timeout(30)
class ThreadCpuClockTest {

  @Test
  void followsThisThreadsCpuTimeAndNotSleep() throws Exception {
    ThreadCpuClock c = new ThreadCpuClock();
    long w0 = System.nanoTime();
    long t0 = c.getAsLong();
    assertFalse(c.isWallTime(), "reads " + ThreadCpuClock.SCHEDSTAT + " on Linux 3.17+");
    long x = 0;
    long deadline = w0 + 10_000_000_000L;
    while (c.getAsLong() - t0 < 20_000_000L && System.nanoTime() < deadline) {
      for (int i = 0; i < 10_000; i++) {
        x += x * 31 + 7; // work on this thread
      }
    }
    long t1 = c.getAsLong();
    long w1 = System.nanoTime();
    assertTrue(t1 - t0 >= 20_000_000L, "work advances the clock (within 10 s): " + (t1 - t0) + " " + x);
    // schedstat shows the runtime as of the thread's last scheduler update, up to a tick old
    // (4 ms at HZ=250): a stale t0 lets t1 - t0 exceed the wall time by that much, no more.
    assertTrue(t1 - t0 <= w1 - w0 + 10_000_000L, "one thread's CPU time never outruns wall time by more than "
        + "a tick: cpu " + (t1 - t0) + " ns, wall " + (w1 - w0) + " ns");
    Thread.sleep(200);
    long t2 = c.getAsLong();
    assertTrue(t2 - t1 < 100_000_000L, "sleeping costs no CPU: " + (t2 - t1));
  }

  /**
   * Short spans of work, as long as a watcher round, read in full: the file is brought up to date
   * before each read rather than showing the runtime as of the last tick. Compared, over the same
   * spans, with {@code ThreadMXBean} (the kernel's {@code CLOCK_THREAD_CPUTIME_ID}, which is
   * current), which the watcher cannot use but a test can.
   */
  @Test
  void shortSpansOfWorkAreReadInFull() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    ThreadCpuClock c = new ThreadCpuClock();
    long x = 0;
    // about 1.5 ms of work per span, the pass count adjusted between spans (the JIT speeds the
    // loop up): reading the reference inside a span would bring the file up to date by itself
    // (clock_gettime updates the runtime it reads)
    long passes = 100;
    long clock = 0;
    long reference = 0;
    for (int span = 0; span < 200; span++) {
      long m0 = mx.getCurrentThreadCpuTime();
      long t0 = c.getAsLong();
      for (long p = 0; p < passes; p++) {
        x = work(x);
      }
      long t1 = c.getAsLong();
      long m1 = mx.getCurrentThreadCpuTime();
      clock += t1 - t0;
      reference += m1 - m0;
      passes = Math.max(1, Math.min(1_000_000L, passes * 1_500_000L / Math.max(1, m1 - m0)));
    }
    assertFalse(c.isWallTime());
    assertTrue(reference > 150_000_000L, "not vacuous: 200 spans of work ran " + reference + " ns " + x);
    assertTrue(clock >= reference * 9 / 10, "the clock saw " + clock + " ns of " + reference
        + " ns of CPU (schedstat as of the last tick misses the end of each span)");
  }

  private static long work(long x) {
    for (int i = 0; i < 1_000; i++) {
      x += x * 31 + 7;
    }
    return x;
  }

  @Test
  void missingFileFallsBackToWallTimeForGood(@TempDir Path dir) {
    ThreadCpuClock c = new ThreadCpuClock(dir.resolve("absent").toString());
    long before = System.nanoTime();
    long v = c.getAsLong();
    assertTrue(c.isWallTime());
    assertTrue(v >= before && v <= System.nanoTime(), "wall time");
  }
}
