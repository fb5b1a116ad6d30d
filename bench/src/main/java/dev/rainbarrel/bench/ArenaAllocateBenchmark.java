package dev.rainbarrel.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Arena bump allocation alone: every iteration starts from a fresh arena (made outside the
 * timing) and each thread makes exactly {@value #BATCH} allocations of {@code size} bytes, nothing
 * freed, so the figure is the allocation itself, thread-region claims from the shared bump
 * pointer included. JMH reports the time of one thread's batch; divide by {@value #BATCH} for
 * the time per allocation.
 * {@code regions}: {@code on} = default thread regions, {@code off} = the shared bump pointer only.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 20, batchSize = ArenaAllocateBenchmark.BATCH)
@Measurement(iterations = 30, batchSize = ArenaAllocateBenchmark.BATCH)
@Fork(1)
@State(Scope.Benchmark)
public class ArenaAllocateBenchmark extends ArenaParams {
  /** Allocations per thread per iteration (4096-byte blocks: 82 MB per thread). */
  public static final int BATCH = 20_000;

  @Override
  protected int capacity() {
    return 256 << 20;
  }

  @Benchmark
  @Threads(1)
  public long allocate_1t() {
    return arena.allocate(size);
  }

  @Benchmark
  @Threads(2)
  public long allocate_2t() {
    return arena.allocate(size);
  }
}
