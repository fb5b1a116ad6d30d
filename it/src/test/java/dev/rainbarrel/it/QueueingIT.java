package dev.rainbarrel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.it.apps.SingleAcceptorApp;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelEntry;
import dev.rainbarrel.stats.HistogramSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the agent is for: a single-acceptor server busy with one slow request, K more connections
 * waiting in the accept queue. The listener, discovered with no configuration, shows {@code
 * queued >= K}; on JDK 22+ with {@code deferAccept} the {@code accept_wait} histogram records how
 * long those connections waited before {@code accept()}; on JDK 17 it stays empty.
 */
class QueueingIT {
  private static final int K = 4;
  private static final long SLOW_MS = 2500;

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void heldAcceptorMakesConnectionsQueueAndAcceptWaitMeasuresThem(Jdk jdk) throws Exception {
    heldAcceptor(jdk, SingleAcceptorApp.class);
  }

  /** The same with a blocking {@code java.net.ServerSocket} (the JDK's NioSocketImpl accept). */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void blockingServerSocketQueuesAndAcceptWaitMeasuresItToo(Jdk jdk) throws Exception {
    heldAcceptor(jdk, dev.rainbarrel.it.apps.BlockingAcceptorApp.class);
  }

  private void heldAcceptor(Jdk jdk, Class<?> app) throws Exception {
    Path file = tmp.resolve("queue-" + app.getSimpleName() + ".barrel");
    List<String> jvm = jdk == Jdk.JDK25 ? List.of("--enable-native-access=ALL-UNNAMED") : List.of();
    try (ChildServer s = ChildServer.start(jdk, app,
        "file=" + file + ",interval=100ms,deferAccept=1", jvm)) {
      String listener = "127.0.0.1:" + s.port();
      assertEquals(200, RawHttp.status(s.port(), "/ok"));
      // The server bound after premain: wait until the watcher has found it (JDK 17's /proc
      // rediscovery runs at most every 5 s; netlink on 22+ is immediate).
      long found = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (queued(file, listener) < 0 && System.nanoTime() < found) {
        Thread.sleep(100);
      }
      assertTrue(queued(file, listener) >= 0, "the watcher did not discover " + listener);
      List<RawHttp> waiting = new ArrayList<>();
      long maxQueued = 0;
      try (RawHttp slow = RawHttp.get(s.port(), "/slow?ms=" + SLOW_MS)) {
        Thread.sleep(300); // the only thread is inside /slow now
        for (int i = 0; i < K; i++) {
          waiting.add(RawHttp.get(s.port(), "/ok"));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SLOW_MS - 500);
        while (maxQueued < K && System.nanoTime() < deadline) {
          maxQueued = Math.max(maxQueued, queued(file, listener));
          Thread.sleep(50);
        }
        assertEquals(200, slow.readStatusAndDrain());
      }
      for (RawHttp w : waiting) {
        assertEquals(200, w.readStatusAndDrain());
        w.close();
      }
      assertTrue(maxQueued >= K, "queued on " + listener + " reached " + maxQueued + ", expected >= " + K);
      try (Barrel b = Barrel.openReadOnly(file)) {
        HistogramSnapshot wait = b.histogramSnapshots().get("accept_wait");
        if (jdk == Jdk.JDK25) {
          assertTrue(wait != null && wait.count() >= K + 2, "one accept_wait sample per connection: " + wait);
          // The queued connections sent their request at once and waited for the slow one to end.
          assertTrue(wait.max() >= SLOW_MS - 300 - 500, "longest accept wait " + wait.max() + " ms");
        } else {
          assertNull(wait, "JDK 17: no TCP_INFO, no accept_wait histogram");
        }
      }
    }
    assertTrue(!Files.exists(file) || Files.size(file) > 0);
  }

  /** The listener's queued figure, or -1 while the watcher has not discovered it. */
  private static long queued(Path file, String listener) throws Exception {
    if (!Files.exists(file)) {
      return -1;
    }
    try (Barrel b = Barrel.openReadOnly(file)) {
      for (BarrelEntry e : b.entries()) {
        if (e.name().equals("queued") && e.label().equals(listener)) {
          return e.value();
        }
      }
    }
    return -1;
  }
}
