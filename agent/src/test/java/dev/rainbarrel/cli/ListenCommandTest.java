package dev.rainbarrel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.StatsSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenCommandTest {

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private ServerSocketChannel listen(String host, int backlog) throws Exception {
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
    open.add(s);
    s.bind(new InetSocketAddress(host, 0), backlog);
    return s;
  }

  private SocketChannel connect(java.net.SocketAddress a) throws Exception {
    SocketChannel c =
        a instanceof UnixDomainSocketAddress
            ? SocketChannel.open(StandardProtocolFamily.UNIX)
            : SocketChannel.open(StandardProtocolFamily.INET);
    open.add(c);
    c.connect(a);
    return c;
  }

  private static int port(ServerSocketChannel s) throws Exception {
    return ((InetSocketAddress) s.getLocalAddress()).getPort();
  }

  /** Two queued, one of them then accepted: numbers settle quickly; retry the CLI a few times. */
  private static Result runUntil(Pattern p, String... args) throws InterruptedException {
    Result r = null;
    for (int i = 0; i < 100; i++) {
      r = run(args);
      if (p.matcher(r.out).find()) {
        return r;
      }
      Thread.sleep(10);
    }
    return r;
  }

  @Test
  void printsRaindropsLines() throws Exception {
    ServerSocketChannel l = listen("127.0.0.1", 8);
    String addr = "127.0.0.1:" + port(l);
    connect(l.getLocalAddress());
    connect(l.getLocalAddress());
    open.add(l.accept());
    Pattern line = Pattern.compile(
        "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +" + Pattern.quote(addr) + " +1 +1$",
        Pattern.MULTILINE);
    Result r = runUntil(line, "listen", addr);
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.matches("(?s) +timestamp +address +active +queued\\n.*"), r.out);
    assertTrue(line.matcher(r.out).find(), r.out);
    assertEquals(2, r.out.lines().count(), r.out);
  }

  @Test
  void jsonOnce() throws Exception {
    ServerSocketChannel l = listen("127.0.0.1", 8);
    String addr = "127.0.0.1:" + port(l);
    connect(l.getLocalAddress());
    Result r = runUntil(Pattern.compile("\"queued\":1"), "listen", "--json", addr, "127.0.0.1:1");
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.startsWith("{\"" + addr + "\":{\"active\":0,\"queued\":1,\"backlog\":"), r.out);
    assertTrue(r.out.contains("\"127.0.0.1:1\":{\"active\":0,\"queued\":0,\"backlog\":0}"), r.out);
    assertEquals(1, r.out.lines().count(), r.out);
  }

  @Test
  void repeatsWithDelayAndSkipsLinesUnderTheThreshold(@TempDir Path dir) throws Exception {
    ServerSocketChannel l = listen("127.0.0.1", 8);
    String tcp = "127.0.0.1:" + port(l);
    Path sock = dir.resolve("cli.sock");
    ServerSocketChannel u = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    open.add(u);
    u.bind(UnixDomainSocketAddress.of(sock), 8);
    connect(UnixDomainSocketAddress.of(sock));
    Thread.sleep(50);
    Result r = run("listen", "--delay", "0.05", "--count", "3", "--queued-threshold", "1", tcp,
        sock.toString());
    assertEquals(0, r.code, r.err);
    List<String> lines = r.out.lines().toList();
    assertEquals(4, lines.size(), r.out); // header + 3 rounds of the Unix line only
    for (String s : lines.subList(1, 4)) {
      assertTrue(s.matches(".* +" + Pattern.quote(sock.toString()) + " +0 +1"), s);
    }
  }

  @Test
  void warnsWhenOnlyTheWildcardListens() throws Exception {
    ServerSocketChannel l = listen("0.0.0.0", 8);
    Result r = run("listen", "127.0.0.1:" + port(l));
    assertEquals(0, r.code, r.err);
    assertTrue(r.err.contains("Did you mean 0.0.0.0:" + port(l) + "?"), r.err);
  }

  /**
   * No address: every listener of the host, in text and in JSON, each with its own numbers. Two
   * listeners with distinct figures (1 active + 1 queued of backlog 8; 3 queued of backlog 5) so
   * that swapped columns, another listener's numbers or a missing row all fail; the clients'
   * ephemeral ports are connections, not listeners, and must not get a row.
   */
  @Test
  void noArgumentsListsEveryListenerWithItsNumbers() throws Exception {
    ServerSocketChannel a = listen("127.0.0.1", 8);
    ServerSocketChannel b = listen("127.0.0.1", 5);
    String addrA = "127.0.0.1:" + port(a);
    String addrB = "127.0.0.1:" + port(b);
    List<SocketChannel> clients = new ArrayList<>();
    clients.add(connect(a.getLocalAddress()));
    clients.add(connect(a.getLocalAddress()));
    open.add(a.accept());
    for (int i = 0; i < 3; i++) {
      clients.add(connect(b.getLocalAddress()));
    }
    String ts = "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +";
    Pattern rowA = Pattern.compile(ts + Pattern.quote(addrA) + " +1 +1$", Pattern.MULTILINE);
    Pattern rowB = Pattern.compile(ts + Pattern.quote(addrB) + " +0 +3$", Pattern.MULTILINE);
    Result r = null;
    for (int i = 0; i < 100; i++) {
      r = run("listen");
      if (rowA.matcher(r.out).find() && rowB.matcher(r.out).find()) {
        break;
      }
      Thread.sleep(10);
    }
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.matches("(?s) +timestamp +address +active +queued\\n.*"), r.out);
    assertTrue(rowA.matcher(r.out).find(), r.out);
    assertTrue(rowB.matcher(r.out).find(), r.out);
    assertEquals(1, r.out.lines().filter(l -> l.contains(" " + addrA + " ")).count(), r.out);
    assertEquals(1, r.out.lines().filter(l -> l.contains(" " + addrB + " ")).count(), r.out);
    for (SocketChannel c : clients) {
      String local = "127.0.0.1:" + ((InetSocketAddress) c.getLocalAddress()).getPort();
      assertTrue(r.out.lines().noneMatch(l -> l.contains(" " + local + " ")), local + "\n" + r.out);
    }

    // JSON: the same two entries, exact, with the backlog, which netlink knows (on every JDK of
    // the build: FFM on 22+, the JNI library on 17-21)
    try (ListenerSampler s = ListenerSampler.open()) {
      assertEquals(StatsSource.NETLINK, s.source(), s.fallbackReason());
    }
    String entryA = "\"" + addrA + "\":{\"active\":1,\"queued\":1,\"backlog\":8}";
    String entryB = "\"" + addrB + "\":{\"active\":0,\"queued\":3,\"backlog\":5}";
    for (int i = 0; i < 100; i++) {
      r = run("listen", "--json");
      if (r.out.contains(entryA) && r.out.contains(entryB)) {
        break;
      }
      Thread.sleep(10);
    }
    assertEquals(0, r.code, r.err);
    assertEquals(1, r.out.lines().count(), r.out);
    assertTrue(r.out.startsWith("{\"") && r.out.strip().endsWith("}}"), r.out);
    assertTrue(r.out.contains(entryA), entryA + "\n" + r.out);
    assertTrue(r.out.contains(entryB), entryB + "\n" + r.out);
    for (SocketChannel c : clients) {
      String local = "\"127.0.0.1:" + ((InetSocketAddress) c.getLocalAddress()).getPort() + "\"";
      assertTrue(!r.out.contains(local), local + "\n" + r.out);
    }
  }

  @Test
  void badAddressesExitTwoWithOneLine() {
    for (String[] c : new String[][] {
      {"8080", "no port"},
      {"127.0.0.1:99999", "out of range"},
      {"localhost:80", "not a numeric IPv4 address"},
      {"::1:80", "must be bracketed"},
    }) {
      Result r = run("listen", c[0]);
      assertEquals(2, r.code, r.err);
      assertEquals(1, r.err.lines().count(), r.err);
      assertTrue(r.err.contains("\"" + c[0] + "\"") && r.err.contains(c[1]), r.err);
      assertEquals("", r.out);
    }
    Result r = run("listen", "--delay", "-1", "127.0.0.1:80");
    assertEquals(2, r.code, r.err);
  }
}
