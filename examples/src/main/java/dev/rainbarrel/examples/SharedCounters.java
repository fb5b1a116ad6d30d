package dev.rainbarrel.examples;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.Counter;
import dev.rainbarrel.shm.Gauge;
import java.nio.file.Path;

/**
 * The library used directly: a worker process that counts "requests" into a shared Barrel file
 * while holding a few "calling" at a time. Run two of them on one file and read it with {@code
 * stat} or {@code read_barrel.py}: the counter holds both processes' work, the gauge their sum.
 *
 * <pre>
 * java -cp core.jar:examples.jar dev.rainbarrel.examples.SharedCounters /dev/shm/rainbarrel-$USER/demo.barrel 10
 * </pre>
 */
public final class SharedCounters {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: SharedCounters FILE [SECONDS]");
      return;
    }
    Path file = Path.of(args[0]);
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 10;
    try (Barrel barrel = Barrel.open(file)) {
      Counter requests = barrel.counter("requests");
      Gauge calling = barrel.gauge("calling");
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        calling.increment();
        Thread.sleep(5); // "handling a request"
        requests.increment();
        calling.decrement();
      }
    }
  }
}
