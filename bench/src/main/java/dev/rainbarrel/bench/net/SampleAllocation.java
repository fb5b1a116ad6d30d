package dev.rainbarrel.bench.net;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes the sampling thread allocates per sample (thread-local accounting, so JMH's own threads do
 * not blur it), for 1 and 4 addresses. Run on an idle host and on a loaded one: equal numbers show
 * that nothing per host socket is allocated.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.rainbarrel.bench.net.SampleAllocation
 * "a1;a2;a3;a4" [label]}
 */
public final class SampleAllocation {

  private SampleAllocation() {}

  public static void main(String[] args) throws Exception {
    List<ListenAddress> four = new ArrayList<>();
    for (String a : args[0].split(";")) {
      four.add(ListenAddress.parse(a));
    }
    List<ListenAddress> one = List.of(four.get(0));
    String label = args.length > 1 ? args[1] : "";
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (ListenerSampler s = ListenerSampler.open()) {
      for (List<ListenAddress> q : List.of(one, four)) {
        for (int i = 0; i < 200; i++) { // warm up: C2 compiles the row loop
          s.sample(q);
        }
        int n = 100;
        long b0 = mx.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          s.sample(q);
        }
        long t1 = System.nanoTime();
        long b1 = mx.getCurrentThreadAllocatedBytes();
        System.out.printf(
            "%-6s %s %d address(es): %6d bytes/sample, %9.1f us/sample, rows: %s%n",
            label, s.source(), q.size(), (b1 - b0) / n, (t1 - t0) / 1e3 / n, s.sample(q));
      }
    }
  }
}
