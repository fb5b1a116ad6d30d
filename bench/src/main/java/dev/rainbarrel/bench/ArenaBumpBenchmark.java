package dev.rainbarrel.bench;

import dev.rainbarrel.arena.Arena;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Arena bump allocation: {@code allocate(size)} then {@code free} of that (last) block, which goes
 * straight back to the bump pointer. One arena shared by all benchmark threads; with two threads
 * a free is sometimes not of the last block (the other thread allocated meanwhile) and that
 * block goes to the (pessimistic) freelist, so the two-thread figure is a mix of bump returns and
 * freelist reuse. {@code memory}: {@code anon} = direct memory, {@code shm} = a file in /dev/shm.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ArenaBumpBenchmark {
  @Param({"32", "256", "4096"})
  int size;

  @Param({"anon", "shm"})
  String memory;

  Arena arena;
  Path file;

  @Setup(Level.Iteration)
  public void setUp() throws IOException {
    Arena.Options o = Arena.Options.defaults().capacity(64 << 20).freelist(Arena.Freelist.PESSIMISTIC);
    if (memory.equals("anon")) {
      arena = Arena.anonymous(o);
    } else {
      Path dir = Files.createDirectories(Path.of("/dev/shm/rainbarrel-bench-" + ProcessHandle.current().pid()));
      file = dir.resolve("bump.arena");
      Files.deleteIfExists(file);
      arena = Arena.open(file, o);
    }
  }

  @TearDown(Level.Iteration)
  public void tearDown() throws IOException {
    arena.close();
    if (file != null) {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.getParent());
    }
  }

  long allocFree() {
    long off = arena.allocate(size);
    arena.free(off);
    return off;
  }

  @Benchmark
  @Threads(1)
  public long allocateFreeLast_1t() {
    return allocFree();
  }

  @Benchmark
  @Threads(2)
  public long allocateFreeLast_2t() {
    return allocFree();
  }
}
