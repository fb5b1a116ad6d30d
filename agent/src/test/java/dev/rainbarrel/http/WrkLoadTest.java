package dev.rainbarrel.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.StandardNames;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code wrk} with 64 connections for 10 s on /metrics and /_raindrops (alternating): no errors. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WrkLoadTest {
  @TempDir Path dir;

  @Test
  void sixtyFourConnectionsForTenSecondsWithoutErrors() throws Exception {
    ExternalTool.require("wrk", "wrk");
    try (Barrel barrel = Barrel.open(dir.resolve("l.barrel"))) {
      barrel.gauge(StandardNames.CALLING).add(2);
      barrel.counter(StandardNames.REQUESTS).add(99);
      barrel.gauge(StandardNames.QUEUED, "127.0.0.1:8080").set(4);
      for (long v = 0; v < 5000; v += 7) {
        barrel.histogram(StandardNames.REQUEST_DURATION).record(v * v);
      }
      Path script = dir.resolve("alternate.lua");
      Files.writeString(script, "local paths = {\"/metrics\", \"/_raindrops\"}\n"
          + "local n = 0\n"
          + "request = function()\n  n = n + 1\n  return wrk.format(\"GET\", paths[(n % 2) + 1])\nend\n");
      try (EndpointServer server = EndpointServer.start(new InetSocketAddress("127.0.0.1", 0), barrel, null)) {
        String url = "http://127.0.0.1:" + server.address().getPort() + "/";
        ExternalTool.Run run = ExternalTool.run(
            List.of("wrk", "-t2", "-c64", "-d10s", "--timeout", "5s", "-s", script.toString(), url), null, 60);
        String out = run.output();
        assertEquals(0, run.exit(), out);
        assertFalse(out.contains("Socket errors"), out);
        assertFalse(out.contains("Non-2xx or 3xx"), out);
        Matcher m = Pattern.compile("(\\d+) requests in").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Long.parseLong(m.group(1)) > 1000, "suspiciously few requests: " + out);
        System.out.println(out);
        // and it still answers exactly afterwards, once the requests wrk left queued have run: until
        // then a new connection may be dropped on purpose (queue full; Limits), so retry, bounded
        String afterwards = null;
        IOException lastDrop = null;
        for (int i = 0; i < 50 && afterwards == null; i++) {
          try {
            afterwards = RawHttp.get(server.address(), "/_raindrops").text();
          } catch (IOException dropped) {
            lastDrop = dropped;
            Thread.sleep(100);
          }
        }
        if (afterwards == null) {
          throw new AssertionError("no answer within 5 s after the load", lastDrop);
        }
        assertEquals("calling: 2\nwriting: 0\n127.0.0.1:8080 active: 0\n127.0.0.1:8080 queued: 4\n", afterwards);
      }
    }
  }
}
