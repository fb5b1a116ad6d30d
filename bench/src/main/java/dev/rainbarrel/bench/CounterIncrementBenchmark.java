package dev.rainbarrel.bench;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.*;

/**
 * One increment of a Barrel counter (a mapped, cache-line-padded slot) against the JDK's own
 * counters, with one and two threads on one counter, and two threads on neighbouring slots (which
 * must cost no more than one thread alone if the padding prevents false sharing).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
public class CounterIncrementBenchmark {

  @State(Scope.Benchmark)
  public static class Shared {
    Path dir;
    Barrel barrel;
    Counter counter;
    final AtomicLong atomic = new AtomicLong();
    final LongAdder adder = new LongAdder();

    @Setup
    public void setUp() throws IOException {
      dir = Files.createTempDirectory(Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : "/tmp"), "rb-bench");
      barrel = Barrel.open(dir.resolve("bench.barrel"));
      counter = barrel.counter("requests");
    }

    @TearDown
    public void tearDown() throws IOException {
      barrel.close();
      Files.deleteIfExists(dir.resolve("bench.barrel"));
      Files.deleteIfExists(dir);
    }
  }

  /** Each thread gets its own counter; the two slots are neighbours in the file. */
  @State(Scope.Thread)
  public static class Own {
    Counter counter;

    @Setup
    public void setUp(Shared shared, org.openjdk.jmh.infra.ThreadParams params) {
      counter = shared.barrel.counter("neighbour-" + params.getThreadIndex());
    }
  }

  @Benchmark
  @Threads(1)
  public long barrel_1thread(Shared s) {
    return s.counter.increment();
  }

  @Benchmark
  @Threads(1)
  public long atomicLong_1thread(Shared s) {
    return s.atomic.incrementAndGet();
  }

  @Benchmark
  @Threads(1)
  public void longAdder_1thread(Shared s) {
    s.adder.increment();
  }

  @Benchmark
  @Threads(2)
  public long barrel_2threads_sameCounter(Shared s) {
    return s.counter.increment();
  }

  @Benchmark
  @Threads(2)
  public long atomicLong_2threads(Shared s) {
    return s.atomic.incrementAndGet();
  }

  @Benchmark
  @Threads(2)
  public void longAdder_2threads(Shared s) {
    s.adder.increment();
  }

  @Benchmark
  @Threads(2)
  public long barrel_2threads_neighbourSlots(Own own) {
    return own.counter.increment();
  }
}
