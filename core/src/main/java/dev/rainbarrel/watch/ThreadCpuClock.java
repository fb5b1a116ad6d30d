package dev.rainbarrel.watch;

import java.io.FileInputStream;
import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * The calling thread's CPU time (user + system, nanoseconds) from {@code /proc/thread-self/schedstat}
 * (first field: the scheduler's {@code sum_exec_runtime}), for the watcher's CPU budget.
 *
 * <p>Not {@code ThreadMXBean}: {@code java.lang.management} loads {@code java.util.logging}, and
 * the agent starts the watcher in premain, before containers such as WildFly install their
 * LogManager. When the file cannot be read (kernels before 3.17, no {@code /proc}) the clock is
 * wall time, which only overstates a round's cost, so the budget still holds.
 *
 * <p>The kernel prints {@code sum_exec_runtime} as of the thread's last scheduler update (a tick,
 * 4 ms at HZ=250, or a switch), not as of now: read at the end of a watcher round, which neither
 * sleeps nor blocks, it misses the time since the last tick, so a 1.3 ms round read as 0.35 ms on
 * average (2026-12-07, 2-vCPU Xeon VM, kernel 6.18) and the budget let full rounds run several
 * times too often. {@link Thread#yield()} first ({@code sched_yield}: the fair scheduler's {@code
 * yield_task_fair} updates the current task's runtime) makes the value current, for one system call.
 */
final class ThreadCpuClock implements LongSupplier {

  static final String SCHEDSTAT = "/proc/thread-self/schedstat";

  private final String path;
  private final byte[] buf = new byte[128];
  private boolean failed;

  ThreadCpuClock() {
    this(SCHEDSTAT);
  }

  ThreadCpuClock(String path) {
    this.path = path;
  }

  /** CPU time of the calling thread in ns, or {@link System#nanoTime()} when unavailable. */
  @Override
  public long getAsLong() {
    if (!failed) {
      Thread.yield(); // brings sum_exec_runtime up to date (see the class comment)
      long v = read();
      if (v >= 0) {
        return v;
      }
      failed = true; // stay on one clock: mixing the two would give nonsense differences
    }
    return System.nanoTime();
  }

  /** True once the file could not be read (the clock is then wall time). */
  boolean isWallTime() {
    return failed;
  }

  private long read() {
    try (FileInputStream in = new FileInputStream(path)) {
      int n = in.read(buf);
      long v = 0;
      int i = 0;
      for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
        v = v * 10 + (buf[i] - '0');
      }
      return i == 0 ? -1 : v;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
