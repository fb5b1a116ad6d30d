package dev.rainbarrel.net;

import static dev.rainbarrel.net.Loopback.assertStats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * raindrops' listener-stats sequences on real loopback sockets, run against each sampler
 * implementation by the subclasses.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ListenerSamplerContract {

  ListenerSampler sampler;
  Loopback net;

  abstract ListenerSampler openSampler();

  abstract StatsSource expectedSource();

  /** Whether this source reports the backlog limit. */
  boolean knowsBacklog() {
    return expectedSource() == StatsSource.NETLINK;
  }

  @BeforeEach
  void setUp() {
    sampler = openSampler();
    net = new Loopback();
  }

  @AfterEach
  void tearDown() {
    net.close();
    sampler.close();
  }

  /** raindrops' sequence: idle 0/0, three unaccepted 0/3, two accepted 2/1, one closed 1/1. */
  private void sequence(ServerSocketChannel l, String addr, String connectHost) throws Exception {
    int port = Loopback.port(l);
    assertStats(sampler, addr, 0, 0);
    for (int i = 0; i < 3; i++) {
      net.connect(connectHost, port);
    }
    assertStats(sampler, addr, 0, 3);
    SocketChannel a1 = net.accept(l);
    net.accept(l);
    assertStats(sampler, addr, 2, 1);
    a1.close();
    assertStats(sampler, addr, 1, 1);
    assertEquals(expectedSource(), sampler.source());
  }

  @Test
  void ipv4Sequence() throws Exception {
    ServerSocketChannel l = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 16);
    sequence(l, "127.0.0.1:" + Loopback.port(l), "127.0.0.1");
    ListenerStats s = sampler.sample("127.0.0.1:" + Loopback.port(l)).get("127.0.0.1:" + Loopback.port(l));
    assertEquals(1, s.listeners());
    if (knowsBacklog()) {
      assertEquals(16, s.backlog());
    } else {
      assertEquals(ListenerStats.UNKNOWN, s.backlog());
    }
  }

  @Test
  void ipv6Sequence() throws Exception {
    ServerSocketChannel l = net.listen(StandardProtocolFamily.INET6, "::1", 0, 16);
    sequence(l, "[::1]:" + Loopback.port(l), "::1");
  }

  /** Java binds an IPv4 address on an IPv4-mapped IPv6 socket by default: still found. */
  @Test
  void ipv4OnJavasDualStackSocket() throws Exception {
    ServerSocketChannel l = net.listen(null, "127.0.0.1", 0, 16);
    sequence(l, "127.0.0.1:" + Loopback.port(l), "127.0.0.1");
  }

  @Test
  void twoListenersAreIndependent() throws Exception {
    ServerSocketChannel a = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
    ServerSocketChannel b = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
    String ka = "127.0.0.1:" + Loopback.port(a);
    String kb = "127.0.0.1:" + Loopback.port(b);
    net.connect("127.0.0.1", Loopback.port(a));
    net.connect("127.0.0.1", Loopback.port(a));
    net.connect("127.0.0.1", Loopback.port(b));
    net.accept(b);
    assertStats(sampler, ka, 0, 2);
    assertStats(sampler, kb, 1, 0);
    Map<String, ListenerStats> both = sampler.sample(ka, kb);
    assertEquals(List.of(ka, kb), List.copyOf(both.keySet()));
    assertEquals(0, both.get(ka).active());
    assertEquals(2, both.get(ka).queued());
    assertEquals(1, both.get(kb).active());
    assertEquals(0, both.get(kb).queued());
  }

  @Test
  void closedListenerLeavesNothingBehind() throws Exception {
    ServerSocketChannel l = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
    String key = "127.0.0.1:" + Loopback.port(l);
    net.connect("127.0.0.1", Loopback.port(l));
    net.connect("127.0.0.1", Loopback.port(l));
    net.accept(l);
    assertStats(sampler, key, 1, 1);
    assertTrue(sampler.sampleAllTcp().containsKey(key));
    l.close();
    // the accepted connection is still open, but without a listener it is not "served" here
    assertStats(sampler, key, 0, 0);
    assertEquals(0, sampler.sample(key).get(key).listeners());
    assertFalse(sampler.sampleAllTcp().containsKey(key), "closed listener still reported");
  }

  @Test
  void reusePortListenersAreSummed() throws Exception {
    ServerSocketChannel a = net.listenReusePort(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
    int port = Loopback.port(a);
    ServerSocketChannel b = net.listenReusePort(StandardProtocolFamily.INET, "127.0.0.1", port, 8);
    String key = "127.0.0.1:" + port;
    for (int i = 0; i < 6; i++) {
      net.connect("127.0.0.1", port);
    }
    assertStats(sampler, key, 0, 6);
    ListenerStats s = sampler.sample(key).get(key);
    assertEquals(2, s.listeners());
    if (knowsBacklog()) {
      assertEquals(16, s.backlog());
    }
    assertEquals(6, sampler.sampleAllTcp().get(key).queued());
    // drain: whichever listener holds a connection accepts it
    a.configureBlocking(false);
    b.configureBlocking(false);
    int accepted = 0;
    for (int i = 0; i < 200 && accepted < 6; i++) {
      for (ServerSocketChannel l : List.of(a, b)) {
        SocketChannel c = l.accept();
        if (c != null) {
          accepted++;
          c.close();
        }
      }
      Thread.sleep(1);
    }
    assertEquals(6, accepted);
    assertStats(sampler, key, 0, 0);
  }

  @Test
  void ipv4WildcardIsMatchedOnlyByTheWildcard() throws Exception {
    ServerSocketChannel l = net.listen(StandardProtocolFamily.INET, "0.0.0.0", 0, 8);
    int port = Loopback.port(l);
    String any = "0.0.0.0:" + port;
    String lo = "127.0.0.1:" + port;
    net.connect("127.0.0.1", port);
    net.connect("127.0.0.1", port);
    assertStats(sampler, any, 0, 2);
    Map<String, ListenerStats> m = sampler.sample(lo);
    assertEquals(0, m.get(lo).queued(), "127.0.0.1 alone must not match the wildcard listener");
    assertEquals(0, m.get(lo).listeners());
    net.accept(l);
    assertStats(sampler, any, 1, 1);
    assertEquals(1, sampler.sampleAllTcp().get(any).active());
  }

  /** A Java wildcard listener is dual-stack: {@code [::]:P} sees IPv4 peers (IPv4-mapped). */
  @Test
  void dualStackWildcardSeesIpv4Peers() throws Exception {
    ServerSocketChannel l = net.listen(StandardProtocolFamily.INET6, "::", 0, 8);
    int port = Loopback.port(l);
    String any6 = "[::]:" + port;
    net.connect("127.0.0.1", port);
    net.connect("::1", port);
    assertStats(sampler, any6, 0, 2);
    net.accept(l);
    net.accept(l);
    assertStats(sampler, any6, 2, 0);
    ListenerStats all = sampler.sampleAllTcp().get(any6);
    assertEquals(2, all.active());
    // an IPv4 query does not see an IPv6 wildcard listener
    assertEquals(0, sampler.sample("0.0.0.0:" + port).get("0.0.0.0:" + port).listeners());
  }

  @Test
  void unreachableAddressesAreStillReported() throws Exception {
    Map<String, ListenerStats> m = sampler.sample("127.0.0.9:1", "[::1]:1", "/nonexistent/x.sock");
    assertEquals(3, m.size());
    for (ListenerStats s : m.values()) {
      assertEquals(ListenerStats.NONE, s);
    }
  }

  @Test
  void unixSequenceWithSymlink(@TempDir Path dir) throws Exception {
    Path sock = dir.resolve("app.sock");
    Path link = dir.resolve("link.sock");
    ServerSocketChannel l = net.listenUnix(sock, 16);
    Files.createSymbolicLink(link, sock);
    String real = sock.toRealPath().toString();
    String viaLink = link.toString();
    assertStats(sampler, real, 0, 0);
    for (int i = 0; i < 3; i++) {
      net.connect(java.net.UnixDomainSocketAddress.of(sock));
    }
    assertStats(sampler, real, 0, 3);
    SocketChannel a1 = net.accept(l);
    net.accept(l);
    assertStats(sampler, real, 2, 1);
    Map<String, ListenerStats> m = sampler.sample(viaLink);
    assertEquals(m.get(viaLink), m.get(real), "link and target must carry the same numbers: " + m);
    assertEquals(2, m.get(viaLink).active());
    assertEquals(1, m.get(viaLink).queued());
    a1.close();
    assertStats(sampler, real, 1, 1);
    assertStats(sampler, viaLink, 1, 1);
    ListenerStats s = sampler.sampleAll().get(real);
    assertEquals(1, s.active());
    assertEquals(1, s.queued());
    if (knowsBacklog()) {
      assertEquals(16, s.backlog());
    }
  }

  @Test
  @SuppressWarnings("try") // the helper process only has to live for the block
  void abstractUnixNames() throws Exception {
    String name = "rainbarrel-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    try (AbstractUnixServer srv = AbstractUnixServer.start(name, 3, 2)) {
      assertStats(sampler, "@" + name, 2, 1);
      assertEquals(1, sampler.sampleAll().get("@" + name).queued());
    }
  }
}
