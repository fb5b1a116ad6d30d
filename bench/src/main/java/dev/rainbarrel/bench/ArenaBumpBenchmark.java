package dev.rainbarrel.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Arena bump allocation: {@code allocate(size)} then {@code free} of that (latest) block, which
 * goes straight back to where it came from. One arena shared by all benchmark threads.
 * {@code regions}: {@code on} = the default thread regions (each thread bumps in its own region,
 * so two threads do not meet); {@code off} = every allocation on the shared bump pointer (with two
 * threads a free is then sometimes not of the last block and goes to the pessimistic freelist).
 * {@code memory}: {@code anon} = direct memory, {@code shm} = a file in /dev/shm.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ArenaBumpBenchmark extends ArenaParams {
  @Override
  protected int capacity() {
    return 64 << 20;
  }

  private static final VarHandle LONG =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * The floor of a region allocate + free-last: the same four accesses to a direct buffer (two
   * release stores, one compare-and-set, one release store) with no arena logic around them.
   */
  @State(Scope.Thread)
  public static class Floor {
    final ByteBuffer buf = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);
    long n;
  }

  @Benchmark
  @Threads(1)
  public long protocolFloor_1t(Floor f) {
    long v = ++f.n;
    LONG.setRelease(f.buf, 64, v);
    LONG.setRelease(f.buf, 8, v);
    LONG.compareAndSet(f.buf, 64, v, v + 1);
    LONG.setRelease(f.buf, 8, v + 1);
    return v;
  }

  @Benchmark
  @Threads(1)
  public long allocateFreeLast_1t() {
    // written out in each method, not in a shared helper: C2 compiled the helper on its own and
    // then called it out of line from the benchmark stub ("already compiled into a big method")
    long off = arena.allocate(size);
    arena.free(off);
    return off;
  }

  @Benchmark
  @Threads(2)
  public long allocateFreeLast_2t() {
    long off = arena.allocate(size);
    arena.free(off);
    return off;
  }
}
