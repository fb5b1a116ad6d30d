package dev.rainbarrel.it;

import static dev.rainbarrel.it.Counters.delta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rainbarrel.it.apps.NettyApp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * More requests in flight at once than the agent's first in-flight table holds (16 384 slots): a
 * server of long polls or server-sent-event streams. Every one of them is counted in {@code
 * calling} while it waits and ends exactly once when its client goes away, because the table
 * overflows into larger ones instead of leaving requests uncounted.
 */
class ManyInFlightIT {

  /** Requests held at once: more than the first table's 16 384 slots, within 20 000 descriptors. */
  private static final int HELD = 18_000;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void eighteenThousandHeldNettyRequestsAreAllCountedAndEndOnce() throws Exception {
    long limit = openFileLimit();
    assumeTrue(limit >= HELD + 1_500, "needs " + (HELD + 1_500) + " open files per process, the limit is " + limit);
    Path file = tmp.resolve("many.barrel");
    try (ChildServer s = ChildServer.start(Jdk.JDK25, NettyApp.class, "file=" + file,
        List.of("-Dtransport=nio", "-Dio.netty.noUnsafe=true"))) {
      Counters counters = new Counters(file);
      Map<String, Long> before = counters.read();
      List<Socket> clients = new ArrayList<>(HELD);
      try {
        byte[] hold = "GET /hold HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < HELD; i++) {
          Socket c = new Socket();
          clients.add(c);
          c.connect(new InetSocketAddress("127.0.0.1", s.port()), 30_000);
          OutputStream out = c.getOutputStream();
          out.write(hold);
          out.flush();
        }
        Map<String, Long> held = awaitOrReport(s, counters, m -> m.getOrDefault("calling", 0L) == HELD, 120_000);
        assertEquals(HELD, held.get("calling"), "every held request is calling: " + held);
        assertEquals(0, delta(before, held, "requests"), "none complete yet: " + held);
      } finally {
        for (Socket c : clients) { // a reset, not a FIN: no TIME_WAIT left on 18 000 local ports
          try {
            c.setSoLinger(true, 0);
            c.close();
          } catch (IOException ignored) {
            // already closed
          }
        }
      }
      Map<String, Long> after = awaitOrReport(s, counters, m -> delta(before, m, "requests") >= HELD
          && m.getOrDefault("calling", 0L) == 0, 120_000);
      Thread.sleep(200); // nothing more may arrive
      after = counters.read();
      assertEquals(HELD, delta(before, after, "requests"), "each ended once: " + after);
      assertEquals(HELD, delta(before, after, "errors"), "each as an error (its client went away): " + after);
      assertEquals(0, after.get("calling"), after.toString());
      assertEquals(0, after.getOrDefault("writing", 0L), after.toString());
    }
  }

  /** Waits for {@code condition}; on a timeout the assertion names the counters and the child's stderr. */
  private static Map<String, Long> awaitOrReport(ChildServer s, Counters counters,
      java.util.function.Predicate<Map<String, Long>> condition, long millis) throws Exception {
    Map<String, Long> m = counters.await(condition, millis);
    if (!condition.test(m)) {
      throw new AssertionError("counters " + m + "; child stderr: " + String.join(" | ", s.stderr()));
    }
    return m;
  }

  /** The soft limit on open files of this process (a child JVM raises its own to the hard one, like this). */
  private static long openFileLimit() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        String[] f = line.substring("Max open files".length()).trim().split("\\s+");
        return f[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[0]);
      }
    }
    return 0;
  }
}
