package dev.rainbarrel.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.cli.StatReport;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.StandardNames;
import dev.rainbarrel.stats.LogLinearHistogram;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** /_raindrops, /stats.json, /metrics and the method/path rules, over real loopback sockets. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EndpointServerTest {
  @TempDir Path dir;
  Barrel barrel;
  EndpointServer server;
  InetSocketAddress at;

  @BeforeEach
  void setUp() throws Exception {
    barrel = Barrel.open(dir.resolve("t.barrel"));
    server = EndpointServer.start(new InetSocketAddress("127.0.0.1", 0), barrel, null);
    at = server.address();
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
    barrel.close();
  }

  private void fill() {
    barrel.gauge(StandardNames.CALLING).add(3);
    barrel.gauge(StandardNames.WRITING).add(1);
    barrel.counter(StandardNames.REQUESTS).add(1234);
    barrel.counter(StandardNames.RESPONSES.get(1)).add(1200);
    barrel.counter("my.odd-name").add(7);
    // a Unix listener registered first still prints after the TCP ones, as raindrops does
    barrel.gauge(StandardNames.ACTIVE, "/tmp/app.sock").set(2);
    barrel.gauge(StandardNames.QUEUED, "/tmp/app.sock").set(0);
    barrel.gauge(StandardNames.ACTIVE, "127.0.0.1:8080").set(5);
    barrel.gauge(StandardNames.QUEUED, "127.0.0.1:8080").set(11);
    barrel.gauge(StandardNames.BACKLOG, "127.0.0.1:8080").set(128);
    barrel.gauge(StandardNames.ACTIVE, "[::1]:9090").set(0);
    barrel.gauge(StandardNames.QUEUED, "[::1]:9090").set(1);
    barrel.gauge(dev.rainbarrel.alloc.AllocatorGauges.PREFIX + "used", "arena:sessions.arena").set(4096);
    LogLinearHistogram h = barrel.histogram(StandardNames.REQUEST_DURATION);
    for (long v : new long[] {0, 1, 5, 63, 64, 100, 1000, 5000, 123_456, 2_000_000}) {
      h.record(v);
    }
  }

  @Test
  void raindropsTextIsByteExact() throws Exception {
    fill();
    RawHttp.Reply r = RawHttp.get(at, "/_raindrops");
    String expected = "calling: 3\nwriting: 1\n"
        + "127.0.0.1:8080 active: 5\n127.0.0.1:8080 queued: 11\n"
        + "[::1]:9090 active: 0\n[::1]:9090 queued: 1\n"
        + "/tmp/app.sock active: 2\n/tmp/app.sock queued: 0\n";
    assertEquals(200, r.status());
    assertEquals(expected, new String(r.body(), StandardCharsets.US_ASCII));
    assertEquals("text/plain", r.header("Content-Type"));
    assertEquals(Integer.toString(expected.length()), r.header("Content-Length"));

    RawHttp.Reply head = RawHttp.request(at, "HEAD", "/_raindrops");
    assertEquals(200, head.status());
    assertEquals(0, head.body().length);
    assertEquals(Integer.toString(expected.length()), head.header("Content-Length"));
  }

  @Test
  void emptyBarrelStillPrintsCallingAndWriting() throws Exception {
    assertEquals("calling: 0\nwriting: 0\n", RawHttp.get(at, "/_raindrops").text());
  }

  @Test
  void statsJsonIsTheStatReport() throws Exception {
    fill();
    RawHttp.Reply r = RawHttp.get(at, "/stats.json");
    assertEquals(200, r.status());
    assertEquals("application/json", r.header("Content-Type"));
    assertEquals(StatReport.of(barrel).toJson() + "\n", r.text());
    assertTrue(r.text().contains("\"127.0.0.1:8080\":{\"active\":5,\"queued\":11,\"backlog\":128}"), r.text());
  }

  @Test
  void metricsInBothFormatsPassPromtool() throws Exception {
    ExternalTool.require("promtool", "prometheus");
    fill();
    RawHttp.Reply text = RawHttp.get(at, "/metrics");
    assertEquals(200, text.status());
    assertEquals(PrometheusText.TEXT_CONTENT_TYPE, text.header("Content-Type"));
    String t = text.text();
    assertTrue(t.contains("# TYPE rainbarrel_requests_total counter\nrainbarrel_requests_total 1234\n"), t);
    assertTrue(t.contains("# TYPE rainbarrel_calling gauge\nrainbarrel_calling 3\n"), t);
    assertTrue(t.contains("rainbarrel_queued{address=\"127.0.0.1:8080\"} 11\n"), t);
    assertTrue(t.contains("rainbarrel_active{address=\"/tmp/app.sock\"} 2\n"), t);
    assertTrue(t.contains("rainbarrel_my_odd_name_total 7\n"), t);
    assertTrue(t.contains("rainbarrel_allocator_used{allocator=\"arena:sessions.arena\"} 4096\n"), t);
    assertTrue(t.contains("# TYPE rainbarrel_request_duration histogram\n"), t);
    // cumulative buckets are exact at their inclusive upper bounds
    assertTrue(t.contains("rainbarrel_request_duration_bucket{le=\"0\"} 1\n"), t);
    assertTrue(t.contains("rainbarrel_request_duration_bucket{le=\"63\"} 4\n"), t);
    assertTrue(t.contains("rainbarrel_request_duration_bucket{le=\"+Inf\"} 10\n"), t);
    assertTrue(t.contains("rainbarrel_request_duration_count 10\n"), t);
    assertTrue(t.contains("rainbarrel_request_duration_sum 2129689\n"), t);
    assertFalse(t.contains("# EOF"), t);
    promtool(t);

    RawHttp.Reply om = RawHttp.get(at, "/metrics",
        "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
    assertEquals(PrometheusText.OPENMETRICS_CONTENT_TYPE, om.header("Content-Type"));
    String o = om.text();
    assertTrue(o.endsWith("# EOF\n"), o);
    assertTrue(o.contains("# TYPE rainbarrel_requests counter\nrainbarrel_requests_total 1234\n"), o);
    assertTrue(o.contains("rainbarrel_request_duration_bucket{le=\"63.0\"} 4\n"), o);
    openMetricsParses(o);
  }

  /**
   * promtool 2.x's {@code check metrics} reads only the classic text format (it sees an OpenMetrics
   * counter's {@code _total} sample as a metric without HELP), so OpenMetrics output goes through
   * Prometheus' OpenMetrics parser instead: {@code promtool tsdb create-blocks-from openmetrics},
   * which needs a timestamp on each sample, so the test appends one to every sample line.
   */
  private void openMetricsParses(String om) throws Exception {
    StringBuilder stamped = new StringBuilder();
    for (String line : om.split("\n")) {
      stamped.append(line);
      if (!line.startsWith("#")) {
        stamped.append(" 1700000000");
      }
      stamped.append('\n');
    }
    Path in = dir.resolve("metrics.om");
    java.nio.file.Files.writeString(in, stamped);
    ExternalTool.Run run = ExternalTool.run(List.of("promtool", "tsdb", "create-blocks-from", "openmetrics",
        in.toString(), dir.resolve("blocks").toString()), null, 120);
    assertEquals(0, run.exit(), "promtool OpenMetrics parse: " + run.output() + "\n--- input:\n" + stamped);
    // every OpenMetrics counter sample is <family>_total, and every sample belongs to a declared family
    java.util.Map<String, String> types = new java.util.HashMap<>();
    for (String line : om.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] f = line.split(" ");
        types.put(f[2], f[3]);
      } else if (!line.startsWith("#")) {
        String name = line.split("[{ ]")[0];
        String family = types.keySet().stream().filter(name::startsWith).max(java.util.Comparator.comparingInt(String::length))
            .orElseThrow(() -> new AssertionError("sample without family: " + line));
        if (types.get(family).equals("counter")) {
          assertEquals(family + "_total", name, line);
        }
      }
    }
  }

  private static void promtool(String exposition) throws Exception {
    ExternalTool.Run run = ExternalTool.run(List.of("promtool", "check", "metrics"),
        exposition.getBytes(StandardCharsets.UTF_8), 60);
    assertEquals(0, run.exit(), "promtool check metrics: " + run.output() + "\n--- input:\n" + exposition);
  }

  @Test
  void unknownPathsAre404AndWrongMethods405() throws Exception {
    for (String p : List.of("/nope", "/_raindrops/", "/metrics.txt", "/active/", "/active/x.json",
        "/tail/", "/reset/", "/active/%25zz.txt", "/stats.json/x", "/x/../_raindrops")) {
      assertEquals(404, RawHttp.get(at, p).status(), p);
    }
    // a target that is not a URI at all is refused by the JDK server before any handler runs
    assertEquals(400, RawHttp.get(at, "/%zz").status());
    RawHttp.Reply post = RawHttp.request(at, "POST", "/metrics", "Content-Length: 0");
    assertEquals(405, post.status());
    assertEquals("GET, HEAD", post.header("Allow"));
    assertEquals(405, RawHttp.request(at, "DELETE", "/_raindrops").status());
    assertEquals(405, RawHttp.request(at, "PUT", "/", "Content-Length: 0").status());
    assertEquals(405, RawHttp.get(at, "/reset/127.0.0.1%3A1").status());
    assertEquals(404, RawHttp.request(at, "POST", "/reset/127.0.0.1%3A1", "Content-Length: 0").status());
  }

  @Test
  void limitsAnswer414And431WithoutTraces() throws Exception {
    RawHttp.Reply longUri = RawHttp.get(at, "/" + "a".repeat(5000));
    assertEquals(414, longUri.status());
    RawHttp.Reply big = RawHttp.get(at, "/_raindrops", "X-Big: " + "b".repeat(20_000));
    assertEquals(431, big.status());
    assertFalse(big.text().contains("Exception"), big.text());
  }

  @Test
  void threadsAreDaemonAndNamed() throws Exception {
    RawHttp.get(at, "/_raindrops");
    long ours = Thread.getAllStackTraces().keySet().stream()
        .filter(EndpointServer::isEndpointThread)
        .peek(t -> assertTrue(t.isDaemon(), t + " is not a daemon"))
        .count();
    assertTrue(ours >= 3, "dispatcher, watchdog and a handler thread expected, found " + ours);
    assertTrue(Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(EndpointServer.THREAD_PREFIX + "-dispatcher")));
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("HTTP-Dispatcher")));
  }

  @Test
  void closeReleasesThePort() throws Exception {
    server.close();
    server.close();
    assertThrows(java.io.IOException.class, () -> RawHttp.get(at, "/_raindrops"));
    server = EndpointServer.start(at, barrel, null);
    assertEquals(200, RawHttp.get(server.address(), "/_raindrops").status());
  }

  @Test
  void parseAddressDefaultsToLoopback() {
    assertEquals(new InetSocketAddress("127.0.0.1", 9090), EndpointServer.parseAddress("9090"));
    assertEquals(new InetSocketAddress("0.0.0.0", 80), EndpointServer.parseAddress("0.0.0.0:80"));
    assertEquals(new InetSocketAddress("::1", 81), EndpointServer.parseAddress("[::1]:81"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EndpointServer.parseAddress("host:x"));
    assertTrue(e.getMessage().contains("'host:x'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> EndpointServer.parseAddress("70000"));
    assertThrows(IllegalArgumentException.class, () -> EndpointServer.parseAddress("::1:80"));
    assertNotNull(EndpointServer.parseAddress("localhost:0"));
  }
}
