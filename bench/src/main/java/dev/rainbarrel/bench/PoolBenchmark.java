package dev.rainbarrel.bench;

import dev.rainbarrel.iobuf.Allocator;
import dev.rainbarrel.iobuf.Pool;
import dev.rainbarrel.iobuf.Slice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * 1 KiB buffers: the iobuf {@link Pool} through a per-thread {@link Allocator} (alloc + release)
 * against {@code ByteBuffer.allocateDirect(1024)} (left to the garbage collector, as such
 * buffers are) and Netty's pooled allocator ({@code directBuffer(1024)} + {@code release()}),
 * each with one and two threads; and {@link Slice#coalesce} of 1000 adjacent 1 KiB slices.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
// Netty's default for thread caches on non-Netty threads has changed between 4.1 releases (newer
// ones cache only on their own FastThreadLocalThreads): set it so JMH threads get a cache, as an
// event loop thread would.
@Fork(value = 1, jvmArgs = {"-Dio.netty.leakDetection.level=disabled",
    "-Dio.netty.allocator.useCacheForAllThreads=true"})
public class PoolBenchmark {
  static final int SIZE = 1024;

  /** One pool shared by all threads (unbounded, 4 KiB chunks, no leak detection). */
  @State(Scope.Benchmark)
  public static class SharedPool {
    Pool pool;

    @Setup(Level.Trial)
    public void setUp() {
      pool = new Pool();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      pool.close();
    }
  }

  /** Allocators are one per thread. */
  @State(Scope.Thread)
  public static class PerThread {
    Allocator allocator;

    @Setup(Level.Trial)
    public void setUp(SharedPool p) {
      allocator = new Allocator(p.pool, 0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      allocator.close();
    }
  }

  static int pool(PerThread t) {
    Slice s = t.allocator.alloc(SIZE);
    int n = s.size();
    s.release();
    return n;
  }

  static int netty() {
    ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(SIZE);
    int n = b.capacity();
    b.release();
    return n;
  }

  @Benchmark
  @Threads(1)
  public int poolAllocRelease_1t(PerThread t) {
    return pool(t);
  }

  @Benchmark
  @Threads(2)
  public int poolAllocRelease_2t(PerThread t) {
    return pool(t);
  }

  @Benchmark
  @Threads(1)
  public ByteBuffer allocateDirect_1t() {
    return ByteBuffer.allocateDirect(SIZE);
  }

  @Benchmark
  @Threads(2)
  public ByteBuffer allocateDirect_2t() {
    return ByteBuffer.allocateDirect(SIZE);
  }

  @Benchmark
  @Threads(1)
  public int nettyPooled_1t() {
    return netty();
  }

  @Benchmark
  @Threads(2)
  public int nettyPooled_2t() {
    return netty();
  }

  /** 1000 adjacent 1 KiB slices (64 KiB chunks so that runs of 64 are adjacent), made fresh per call. */
  @State(Scope.Thread)
  public static class Slices {
    Pool pool;
    Allocator allocator;
    List<Slice> slices;

    @Setup(Level.Trial)
    public void trial() {
      pool = new Pool(64 << 10, Long.MAX_VALUE, false, System.err::println);
      allocator = new Allocator(pool, 0);
    }

    @Setup(Level.Invocation)
    public void make() {
      slices = new ArrayList<>(1000);
      for (int i = 0; i < 1000; i++) {
        slices.add(allocator.alloc(SIZE));
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      allocator.close();
      pool.close();
    }
  }

  @Benchmark
  @Threads(1)
  public int coalesce1000(Slices s) {
    List<Slice> out = Slice.coalesce(s.slices, 64 << 10);
    int n = out.size();
    for (Slice x : out) {
      x.release();
    }
    return n;
  }
}
