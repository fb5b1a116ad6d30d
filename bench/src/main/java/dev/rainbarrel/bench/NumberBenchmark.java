package dev.rainbarrel.bench;

import dev.rainbarrel.alloc.NumberFile;
import dev.rainbarrel.alloc.QuarantinedNumbers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * {@link NumberFile} on a 4096-number file in /dev/shm: allocate + free, plain and through
 * {@link QuarantinedNumbers} (quarantine 0 ms: every free parks the number, and once all are
 * parked the next allocate sweeps the expired ones back, so the figure includes that sweep
 * amortised over 4096 operations), one and two threads sharing the handle.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class NumberBenchmark {
  NumberFile numbers;
  QuarantinedNumbers quarantined;
  Path file;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path dir = Files.createDirectories(Path.of("/dev/shm/rainbarrel-bench-" + ProcessHandle.current().pid()));
    file = dir.resolve("numbers.barrel");
    Files.deleteIfExists(file);
    numbers = NumberFile.open(file, 4096);
    quarantined = new QuarantinedNumbers(numbers.allocator(), 0);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    numbers.close();
    Files.deleteIfExists(file);
    Files.deleteIfExists(file.getParent());
  }

  int plain() {
    int n = numbers.allocate();
    numbers.free(n);
    return n;
  }

  int quarantine() {
    int n = quarantined.allocate();
    if (n >= 0) { // a refused allocation has nothing to free
      quarantined.free(n);
    }
    return n;
  }

  @Benchmark
  @Threads(1)
  public int allocateFree_1t() {
    return plain();
  }

  @Benchmark
  @Threads(2)
  public int allocateFree_2t() {
    return plain();
  }

  @Benchmark
  @Threads(1)
  public int quarantinedAllocateFree_1t() {
    return quarantine();
  }

  @Benchmark
  @Threads(2)
  public int quarantinedAllocateFree_2t() {
    return quarantine();
  }
}
