package dev.rainbarrel.bench;

import dev.rainbarrel.alloc.NumberAllocator;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/** Allocate + free of one number with the allocator half full (numbers spread over every word). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SlotAllocatorBenchmark {
  @Param({"256", "4096"})
  int capacity;

  NumberAllocator allocator;

  @Setup
  public void setUp() {
    int len = (NumberAllocator.regionLength(capacity) + 63) & -64;
    allocator = NumberAllocator.format(ByteBuffer.allocateDirect(len + 64).alignedSlice(64), 0, capacity);
    int[] taken = new int[capacity];
    for (int i = 0; i < capacity; i++) {
      taken[i] = allocator.allocate();
    }
    for (int i = 0; i < capacity; i += 2) {
      allocator.free(taken[i]); // every other number free: 50 % occupancy
    }
  }

  @Benchmark
  public int allocateAndFree_halfFull() {
    int n = allocator.allocate();
    allocator.free(n);
    return n;
  }
}
