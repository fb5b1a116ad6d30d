package dev.rainbarrel.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.shm.Barrel;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Watcher pages over a real TCP listener (1 accepted, 2 queued connections) and a real Unix
 * listener (1 queued), sampled every 250 ms by {@link SampledSources}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WatcherPagesTest {
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final Pattern RUBY_FLOAT = Pattern.compile("NaN|-?\\d+\\.\\d+(e[+-]\\d\\d+)?");

  @TempDir Path dir;
  Barrel barrel;
  ServerSocket listener;
  ServerSocketChannel unixListener;
  final List<AutoCloseable> clients = new ArrayList<>();
  SampledSources sources;
  EndpointServer server;
  InetSocketAddress at;
  String tcp;
  String unix;

  @BeforeEach
  void setUp() throws Exception {
    barrel = Barrel.open(dir.resolve("w.barrel"));
    listener = new ServerSocket(0, 16, java.net.InetAddress.getByName("127.0.0.1"));
    tcp = "127.0.0.1:" + listener.getLocalPort();
    for (int i = 0; i < 3; i++) {
      clients.add(new Socket("127.0.0.1", listener.getLocalPort()));
    }
    clients.add(listener.accept()); // 1 active, 2 queued
    Path sock = dir.resolve("app.sock");
    unixListener = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(sock), 8);
    unix = sock.toString();
    clients.add(SocketChannel.open(UnixDomainSocketAddress.of(sock))); // 1 queued
    sources = new SampledSources(barrel, Duration.ofMillis(250), tcp, unix);
    server = EndpointServer.start(new InetSocketAddress("127.0.0.1", 0), barrel, sources);
    at = server.address();
    sources.awaitSamples(3);
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
    sources.close();
    for (AutoCloseable c : clients) {
      c.close();
    }
    listener.close();
    unixListener.close();
    barrel.close();
  }

  private static String esc(String addr) {
    return TextFormats.formEscape(addr);
  }

  private static long httpDate(RawHttp.Reply r, String name) {
    String v = r.header(name);
    assertNotNull(v, name + " missing");
    return ZonedDateTime.parse(v, HTTP_DATE).toInstant().toEpochMilli();
  }

  @Test
  void statPagesCarryEveryHeaderWellFormed() throws Exception {
    RawHttp.Reply r = RawHttp.get(at, "/queued/" + esc(tcp) + ".txt");
    assertEquals(200, r.status(), r.text());
    assertEquals("text/plain", r.header("Content-Type"));
    long count = Long.parseLong(r.header("X-Count"));
    assertTrue(count >= 3, "X-Count " + count);
    assertEquals("2", r.header("X-Min"));
    assertEquals("2", r.header("X-Max"));
    assertEquals("2", r.header("X-Current"));
    assertEquals("2.0", r.header("X-Mean"));
    assertEquals("0.0", r.header("X-Std-Dev"));
    assertEquals("0", r.header("X-Outliers-Low"));
    assertEquals("0", r.header("X-Outliers-High"));
    long reset = httpDate(r, "X-Last-Reset");
    long first = httpDate(r, "X-First-Peak-At");
    long last = httpDate(r, "X-Last-Peak-At");
    long expires = httpDate(r, "Expires");
    assertTrue(reset / 1000 <= first / 1000 && first <= last && last <= expires, r.headers().toString());
    assertEquals(TextFormats.httpDate(sources.lastSampleMillis() + 250), r.header("Expires"));
    // body: the aggregate gem's histogram, every sample (2) in the [2, 4) bucket
    String body = r.text();
    assertTrue(body.startsWith("value |"), body);
    assertTrue(Pattern.compile("(?m)^    2 \\|@+ *\\| +" + count + "$").matcher(body).find()
        || body.contains("    2 |"), body);
    assertEquals(Integer.toString(r.body().length), r.header("Content-Length"));

    RawHttp.Reply a = RawHttp.get(at, "/active/" + tcp + ".txt"); // unescaped address works too
    assertEquals(200, a.status());
    assertEquals("1", a.header("X-Current"));
    assertTrue(RUBY_FLOAT.matcher(a.header("X-Mean")).matches(), a.header("X-Mean"));
    assertTrue(RUBY_FLOAT.matcher(a.header("X-Std-Dev")).matches(), a.header("X-Std-Dev"));

    RawHttp.Reply u = RawHttp.get(at, "/queued/" + esc(unix) + ".txt");
    assertEquals(200, u.status());
    assertEquals("1", u.header("X-Current"));
    RawHttp.Reply ua = RawHttp.get(at, "/active/" + unix + ".txt");
    assertEquals(200, ua.status(), "unescaped Unix path");
    assertEquals("0", ua.header("X-Current"));
    assertEquals("Empty histogram", ua.text(), "zeros are low outliers, not histogram rows");
    assertTrue(Long.parseLong(ua.header("X-Outliers-Low")) >= 3);

    RawHttp.Reply head = RawHttp.request(at, "HEAD", "/queued/" + esc(tcp) + ".txt");
    assertEquals(200, head.status());
    assertEquals(0, head.body().length);
    assertNotNull(head.header("X-Count"));

    assertEquals(404, RawHttp.get(at, "/queued/" + esc("127.0.0.1:1") + ".txt").status());
  }

  @Test
  void htmlPageAndIndexEscapeAndLink() throws Exception {
    RawHttp.Reply h = RawHttp.get(at, "/queued/" + esc(tcp) + ".html");
    assertEquals(200, h.status());
    assertEquals("text/html", h.header("Content-Type"));
    String html = h.text();
    for (String k : List.of("Count", "Min", "Max", "Mean", "Std-Dev", "Outliers-Low", "Outliers-High",
        "Last-Reset", "Current", "First-Peak-At", "Last-Peak-At")) {
      assertTrue(html.contains("<tr><td>" + k + "</td><td>"), k + " row in " + html);
    }
    assertTrue(html.contains("<form action='../reset/" + esc(tcp) + "' method='post'>"), html);
    assertTrue(html.contains("<pre>value |"), html);

    RawHttp.Reply i = RawHttp.get(at, "/");
    assertEquals(200, i.status());
    String index = i.text();
    assertNotNull(i.header("Last-Modified"));
    assertNotNull(i.header("Expires"));
    int t = index.indexOf("<a href='tail/" + esc(tcp) + ".txt'");
    int x = index.indexOf("<a href='tail/" + esc(unix) + ".txt'");
    assertTrue(t > 0 && x > 0, index);
    assertTrue(unix.compareTo(tcp) < 0 == x < t, "addresses sorted");
    assertTrue(index.contains("<a href='queued/" + esc(tcp) + ".html' title='queued connection statistics'>2</a>"), index);
    assertTrue(index.contains("<a href='active/" + esc(tcp) + ".html' title='active connection statistics'>1</a>"), index);
    assertTrue(index.contains("<form action='reset/" + esc(tcp) + "' method='post'>"), index);
    assertFalse(index.contains("<script"), index);
  }

  @Test
  void resetRedirectsToTheReferer() throws Exception {
    long before = Long.parseLong(RawHttp.get(at, "/queued/" + esc(tcp) + ".txt").header("X-Count"));
    assertTrue(before >= 3);
    long t0 = System.currentTimeMillis() / 1000 * 1000;
    RawHttp.Reply r = RawHttp.request(at, "POST", "/reset/" + esc(tcp), "Referer: http://127.0.0.1/queued/x.html",
        "Content-Length: 3", "", "x=x");
    assertEquals(302, r.status(), r.text());
    assertEquals("http://127.0.0.1/queued/x.html", r.header("Location"));
    RawHttp.Reply after = RawHttp.get(at, "/queued/" + esc(tcp) + ".txt");
    assertTrue(Long.parseLong(after.header("X-Count")) < before, after.headers().toString());
    assertTrue(httpDate(after, "X-Last-Reset") >= t0);

    RawHttp.Reply noRef = RawHttp.request(at, "POST", "/reset/" + esc(unix), "Content-Length: 0");
    assertEquals(302, noRef.status());
    assertEquals("/", noRef.header("Location"));
    assertEquals(404, RawHttp.request(at, "POST", "/reset/" + esc("10.0.0.1:80"), "Content-Length: 0").status());
  }

  /** Reads a streaming response for {@code millis}, then hangs up; returns the raw bytes. */
  private byte[] stream(String requestLine, long millis) throws Exception {
    try (Socket s = new Socket("127.0.0.1", at.getPort())) {
      s.getOutputStream().write((requestLine + "\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout(100);
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      long end = System.nanoTime() + millis * 1_000_000;
      while (System.nanoTime() < end) {
        try {
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          out.write(buf, 0, n);
        } catch (SocketTimeoutException e) {
          // keep waiting until the time is up
        }
      }
      return out.toByteArray();
    }
  }

  private static List<String> lines(byte[] body) {
    List<String> l = new ArrayList<>();
    for (String s : new String(body, StandardCharsets.US_ASCII).split("\n")) {
      if (!s.isEmpty()) {
        l.add(s);
      }
    }
    return l;
  }

  @Test
  void tailStreamsChunkedLinesAndHonoursThresholds() throws Exception {
    RawHttp.Reply r = RawHttp.parse(stream("GET /tail/" + esc(tcp) + ".txt HTTP/1.1", 2000), false);
    assertEquals(200, r.status());
    assertEquals("chunked", r.header("Transfer-Encoding").toLowerCase(Locale.ROOT));
    assertEquals("no-transform", r.header("Cache-Control"));
    assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", r.header("Expires"));
    List<String> lines = lines(r.body());
    assertTrue(lines.size() >= 2, "at least 2 lines in 2 s at 250 ms: " + lines);
    Pattern p = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ " + Pattern.quote(tcp) + " {10}1 {10}2");
    for (String l : lines) {
      assertTrue(p.matcher(l).matches(), "'" + l + "'");
    }

    // thresholds: queued is 2, so queued_min=3 prints nothing while queued_min=2&active_min=1 prints
    RawHttp.Reply none = RawHttp.parse(stream("GET /tail/" + esc(tcp) + ".txt?queued_min=3 HTTP/1.1", 1500), false);
    assertEquals(List.of(), lines(none.body()));
    RawHttp.Reply some = RawHttp.parse(
        stream("GET /tail/" + esc(tcp) + ".txt?queued_min=2&active_min=1 HTTP/1.1", 1500), false);
    assertFalse(lines(some.body()).isEmpty());
    RawHttp.Reply activeTooHigh = RawHttp.parse(stream("GET /tail/" + esc(tcp) + ".txt?active_min=2 HTTP/1.1", 1200), false);
    assertEquals(List.of(), lines(activeTooHigh.body()));
  }

  @Test
  void tailOnHttp10IsCloseDelimitedAndEndsWhenTheClientGoes() throws Exception {
    byte[] raw = stream("GET /tail/" + esc(unix) + ".txt HTTP/1.0", 1500);
    RawHttp.Reply r = RawHttp.parse(raw, false);
    assertEquals(200, r.status());
    assertNull(r.header("Transfer-Encoding"));
    assertNull(r.header("Content-Length"));
    List<String> lines = lines(r.body());
    assertTrue(lines.size() >= 2, lines.toString());
    int w = Math.min(unix.length(), 35);
    assertEquals(String.format(Locale.ROOT, "%20s %" + w + "s % 10d % 10d", lines.get(0).substring(0, 20), unix, 0, 1),
        lines.get(0));
    // the client hung up: the next writes fail and the subscription goes away
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (sources.subscribers() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, sources.subscribers(), "tail still subscribed after its client left");
  }

  @Test
  void tailOfUnknownAddressIs404() throws Exception {
    assertEquals(404, RawHttp.get(at, "/tail/" + esc("127.0.0.1:1") + ".txt").status());
    RawHttp.Reply head = RawHttp.request(at, "HEAD", "/tail/" + esc(tcp) + ".txt");
    assertEquals(200, head.status());
    assertEquals("no-transform", head.header("Cache-Control"));
  }
}
