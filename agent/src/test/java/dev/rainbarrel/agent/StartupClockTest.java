package dev.rainbarrel.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The per-thread CPU time the start-up report shows beside each step's wall time. */
class StartupClockTest {

  @Test
  void threadCpuTimeGrowsWithWorkAndNotWithSleep() throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/thread-self/schedstat")), "Linux only");
    long before = StartupClock.threadCpuNanos();
    assertTrue(before > 0, "read " + before);
    long x = 0;
    long end = System.nanoTime() + 50_000_000L; // 50 ms of work, bounded by the clock
    while (System.nanoTime() < end) {
      x += Long.numberOfTrailingZeros(x + System.nanoTime());
    }
    long worked = StartupClock.threadCpuNanos();
    assertTrue(worked - before >= 20_000_000L, "50 ms of work counted as " + (worked - before) + " ns (" + x + ")");
    Thread.sleep(100);
    long slept = StartupClock.threadCpuNanos();
    assertTrue(slept - worked < 50_000_000L, "100 ms of sleep counted as " + (slept - worked) + " ns of CPU");
  }
}
