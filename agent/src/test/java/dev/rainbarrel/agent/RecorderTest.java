package dev.rainbarrel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelEntry;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder writes the DESIGN.md names into a real Barrel, without allocating per event. */
class RecorderTest {

  @TempDir Path tmp;

  private static Map<String, Long> read(Path file) throws Exception {
    Map<String, Long> m = new HashMap<>();
    try (Barrel b = Barrel.openReadOnly(file)) {
      for (BarrelEntry e : b.entries()) {
        m.put(e.name(), e.value());
      }
      b.histogramSnapshots().forEach((n, h) -> m.put(n + ".count", h.count()));
    }
    return m;
  }

  @Test
  void eventsLandInTheBarrelUnderTheDesignNames() throws Exception {
    Path file = tmp.resolve("r.barrel");
    Recorder r = Recorder.open(file);
    try {
      r.accepted(null);
      r.accepted(null);
      r.handlerEntered();
      r.committed();
      Map<String, Long> during = read(file);
      assertEquals(1, during.get("calling"));
      assertEquals(1, during.get("writing"));
      r.handlerExited();
      r.completed(204, false, true, 1_500_000);
      r.completed(404, false, false, 1_000);
      r.completed(503, true, false, 1_000);
      r.completed(-1, true, false, 1_000); // reset before any status: no class, an error
      Map<String, Long> m = read(file);
      assertEquals(2, m.get("accepted"));
      assertEquals(4, m.get("requests"));
      assertEquals(1, m.get("responses_2xx"));
      assertEquals(1, m.get("responses_4xx"));
      assertEquals(1, m.get("responses_5xx"));
      assertEquals(0, m.get("responses_1xx") + m.get("responses_3xx"));
      assertEquals(2, m.get("errors"));
      assertEquals(0, m.get("calling"));
      assertEquals(0, m.get("writing"));
      assertEquals(4, m.get("request_duration.count"));
    } finally {
      r.barrel().close();
    }
  }

  @Test
  void requestsOnSeveralThreadsGoToTheirOwnCellsAndReadersSeeExactTotals() throws Exception {
    Path file = tmp.resolve("threads.barrel");
    Recorder r = Recorder.open(file);
    try {
      int threads = 4;
      int perThread = 50_000;
      java.util.List<Thread> ts = new java.util.ArrayList<>();
      java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
      for (int t = 0; t < threads; t++) {
        Thread th = new Thread(() -> {
          for (int i = 0; i < perThread; i++) {
            r.handlerEntered();
            r.committed();
            r.handlerExited();
            r.completed(i % 2 == 0 ? 200 : 500, i % 2 != 0, true, 2_000);
          }
        });
        th.setUncaughtExceptionHandler((x, e) -> failure.set(e));
        th.start();
        ts.add(th);
      }
      r.handlerEntered(); // this thread's own request stays in flight
      for (Thread th : ts) {
        th.join(60_000);
      }
      assertEquals(null, failure.get());
      long total = (long) threads * perThread;
      Map<String, Long> m = read(file);
      assertEquals(total, m.get("requests"));
      assertEquals(total / 2, m.get("responses_2xx"));
      assertEquals(total / 2, m.get("responses_5xx"));
      assertEquals(total / 2, m.get("errors"));
      assertEquals(1, m.get("calling"));
      assertEquals(0, m.get("writing"));
      assertEquals(total, m.get("request_duration.count"));
      assertTrue(r.cells().rowsLeased() >= 2, "the request threads wrote their own cells: " + r.cells().rowsLeased());
      assertEquals(0, r.barrel().counter("requests").get(), "nothing went through the shared record");
    } finally {
      r.barrel().close();
    }
  }

  @Test
  void recordingAllocatesNothing() throws Exception {
    Recorder r = Recorder.open(tmp.resolve("alloc.barrel"));
    try {
      com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long tid = Thread.currentThread().getId();
      long allocated = Long.MAX_VALUE;
      for (int round = 0; round < 5 && allocated != 0; round++) {
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 20_000; i++) {
          r.accepted(null);
          r.handlerEntered();
          r.committed();
          r.handlerExited();
          r.completed(200, false, true, 12_345);
        }
        allocated = mx.getThreadAllocatedBytes(tid) - before;
      }
      assertEquals(0, allocated, "bytes allocated by 20000 recorded requests");
    } finally {
      r.barrel().close();
    }
  }
}
