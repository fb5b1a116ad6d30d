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

  @Test
  void missingFileFallsBackToWallTimeForGood(@TempDir Path dir) {
    ThreadCpuClock c = new ThreadCpuClock(dir.resolve("absent").toString());
    long before = System.nanoTime();
    long v = c.getAsLong();
    assertTrue(c.isWallTime());
    assertTrue(v >= before && v <= System.nanoTime(), "wall time");
  }
}
