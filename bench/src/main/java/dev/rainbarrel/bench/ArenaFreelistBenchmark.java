package dev.rainbarrel.bench;

import dev.rainbarrel.arena.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Arena freelist: the bump region is exhausted, every thread holds a working set of 64 blocks
 * and each operation frees one of them (chosen at random) and allocates a new one of a random
 * size in [32, 512] bytes, so every allocation is served by the freelist. An allocation the
 * freelist cannot serve (fragmentation, see docs/ALLOCATORS.md) returns NO_SPACE; those are
 * counted and printed at the end of each iteration. Kind NONE has no freelist: with the bump
 * region exhausted every allocation fails, so {@code noneExhausted} measures only that refusal.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ArenaFreelistBenchmark {
  static final int HELD = 64;
  static final int THREADS = 2;

  /** The shared arena, filled to exhaustion, with {@code THREADS} working sets of held blocks. */
  @State(Scope.Benchmark)
  public static class Shared {
    @Param({"OPTIMISTIC", "PESSIMISTIC"})
    String kind;

    /** Arena bytes: 64 KiB leaves about 60 free nodes in the list, 1 MiB about 2700. */
    @Param({"65536", "1048576"})
    int capacity;

    Arena arena;
    long[][] held;
    final AtomicInteger nextSet = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger operations = new AtomicInteger();

    @Setup(Level.Iteration)
    public void setUp() {
      arena = Arena.anonymous(Arena.Options.defaults().capacity(capacity)
          .freelist(Arena.Freelist.valueOf(kind)).minSegmentSize(32));
      fill(arena);
      held = new long[THREADS][];
      nextSet.set(0);
      failures.set(0);
      operations.set(0);
      // Working sets: the first blocks of the fill stay held; the rest go to the freelist.
      java.util.List<Long> all = new java.util.ArrayList<>();
      for (Arena.Block b : arena.blocks()) {
        if (b.state.equals("ALLOCATED") && b.size >= 32) {
          all.add(b.offset);
        }
      }
      int k = 0;
      for (int t = 0; t < THREADS; t++) {
        held[t] = new long[HELD];
        for (int i = 0; i < HELD; i++) {
          held[t][i] = all.get(k++);
        }
      }
      SplittableRandom r = new SplittableRandom(7);
      for (int i = all.size() - 1; i >= k; i--) {
        if (r.nextInt(4) != 0) { // three quarters go back; the rest stay allocated (live data)
          arena.free(all.get(i));
        }
      }
    }

    @TearDown(Level.Iteration)
    public void tearDown() throws Exception {
      int nodes = 0;
      for (Arena.Block b : arena.blocks()) {
        nodes += b.state.equals("FREE") ? 1 : 0;
      }
      System.out.println("  [" + kind + " " + capacity + "] allocations refused: " + failures.get()
          + " of " + operations.get() + " sampled; " + nodes + " free nodes at the end");
      arena.close();
    }
  }

  /** Fills the bump region: random sizes until refused, then the smallest blocks until refused. */
  static void fill(Arena arena) {
    SplittableRandom r = new SplittableRandom(42);
    while (arena.allocate(32 + r.nextInt(481)) != Arena.NO_SPACE) {
      // keep going
    }
    while (arena.allocate(1) != Arena.NO_SPACE) {
      // the tail of the bump region
    }
  }

  /** One thread's working set and random sequence. */
  @State(Scope.Thread)
  public static class Mine {
    long[] held;
    SplittableRandom random;
    int ops;

    @Setup(Level.Iteration)
    public void setUp(Shared s) {
      held = s.held[s.nextSet.getAndIncrement() % THREADS];
      random = new SplittableRandom(held[0]);
      ops = 0;
    }
  }

  static long step(Shared s, Mine m) {
    int i = m.random.nextInt(HELD);
    long off = m.held[i];
    if (off != Arena.NO_SPACE) {
      s.arena.free(off);
    }
    long n = s.arena.allocate(32 + m.random.nextInt(481));
    m.held[i] = n;
    if ((++m.ops & 1023) == 0) { // sample 1 in 1024 to keep the counting out of the figure
      s.operations.incrementAndGet();
      if (n == Arena.NO_SPACE) {
        s.failures.incrementAndGet();
      }
    }
    return n;
  }

  @Benchmark
  @Threads(1)
  public long freeAllocate_1t(Shared s, Mine m) {
    return step(s, m);
  }

  @Benchmark
  @Threads(2)
  public long freeAllocate_2t(Shared s, Mine m) {
    return step(s, m);
  }

  /** Kind NONE, bump region exhausted: the cost of an allocation refused with NO_SPACE. */
  @State(Scope.Benchmark)
  public static class Exhausted {
    Arena arena;

    @Setup(Level.Trial)
    public void setUp() {
      arena = Arena.anonymous(Arena.Options.defaults().capacity(1 << 20).freelist(Arena.Freelist.NONE));
      fill(arena);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      arena.close();
    }
  }

  @Benchmark
  @Threads(1)
  public long noneExhausted(Exhausted e) {
    return e.arena.allocate(100);
  }
}
