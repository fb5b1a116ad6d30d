package dev.rainbarrel.bench;

import dev.rainbarrel.arena.Arena;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Arena bump allocation alone: every iteration starts from a fresh arena (made outside the
 * timing) and each thread makes exactly {@value #BATCH} allocations of {@code size} bytes, nothing
 * freed, so the figure is the allocation itself, thread-region claims from the shared bump
 * pointer included. JMH reports the time of one thread's batch; divide by {@value #BATCH} for
 * the time per allocation ({@code bench/arena-allocate.sh} prints both).
 * {@code regions}: {@code on} = default thread regions, {@code off} = the shared bump pointer only.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 20, batchSize = ArenaAllocateBenchmark.BATCH)
@Measurement(iterations = 30, batchSize = ArenaAllocateBenchmark.BATCH)
@Fork(1)
@State(Scope.Benchmark)
public class ArenaAllocateBenchmark {
  /** Allocations per thread per iteration (4096-byte blocks: 82 MB per thread). */
  public static final int BATCH = 20_000;

  @Param({"32", "256", "4096"})
  int size;

  @Param({"anon", "shm"})
  String memory;

  @Param({"on", "off"})
  String regions;

  BenchArena fixture;
  Arena arena;

  @Setup(Level.Iteration)
  public void setUp() throws IOException {
    fixture = new BenchArena(memory, regions, 256 << 20, "allocate.arena");
    arena = fixture.arena;
  }

  @TearDown(Level.Iteration)
  public void tearDown() throws IOException {
    fixture.close();
    arena = null;
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
