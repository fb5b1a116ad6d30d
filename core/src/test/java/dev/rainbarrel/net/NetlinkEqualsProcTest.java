package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * netlink and {@code /proc} must give the same answers on the same sockets (JDK 17 through the JNI
 * library, 25 through FFM).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetlinkEqualsProcTest {

  @Test
  void sameSocketsSameAnswers(@TempDir Path dir) throws Exception {
    try (Loopback net = new Loopback();
        ListenerSampler netlink = ListenerSampler.open();
        ListenerSampler proc = ListenerSampler.openProc()) {
      assertEquals(StatsSource.NETLINK, netlink.source(), netlink.fallbackReason());
      List<String> keys = new ArrayList<>();

      ServerSocketChannel v4 = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 32);
      keys.add("127.0.0.1:" + Loopback.port(v4));
      ServerSocketChannel v6 = net.listen(StandardProtocolFamily.INET6, "::1", 0, 32);
      keys.add("[::1]:" + Loopback.port(v6));
      ServerSocketChannel mapped = net.listen(null, "127.0.0.1", 0, 32);
      keys.add("127.0.0.1:" + Loopback.port(mapped));
      ServerSocketChannel dual = net.listen(null, "::", 0, 32);
      keys.add("[::]:" + Loopback.port(dual));
      ServerSocketChannel any4 = net.listen(StandardProtocolFamily.INET, "0.0.0.0", 0, 32);
      keys.add("0.0.0.0:" + Loopback.port(any4));
      keys.add("127.0.0.1:" + Loopback.port(any4)); // does not match the wildcard listener
      Path sock = dir.resolve("eq.sock");
      ServerSocketChannel ux = net.listenUnix(sock, 32);
      keys.add(sock.toString());

      for (ServerSocketChannel l : List.of(v4, v6, mapped, dual, any4, ux)) {
        for (int i = 0; i < 4; i++) {
          if (l == ux) {
            net.connect(UnixDomainSocketAddress.of(sock));
          } else if (l == v6) {
            net.connect("::1", Loopback.port(l));
          } else {
            net.connect(i % 2 == 0 || l != dual ? "127.0.0.1" : "::1", Loopback.port(l));
          }
        }
        net.accept(l);
        net.accept(l);
      }
      Thread.sleep(50); // let the last handshakes land before comparing two snapshots

      Map<String, ListenerStats> a = netlink.sample(keys.toArray(new String[0]));
      Map<String, ListenerStats> b = proc.sample(keys.toArray(new String[0]));
      assertEquals(keys, List.copyOf(a.keySet()));
      assertEquals(keys, List.copyOf(b.keySet()));
      for (String k : keys) {
        assertSame(k, a.get(k), b.get(k));
      }
      assertEquals(2, a.get(keys.get(0)).active());
      assertEquals(2, a.get(keys.get(0)).queued());
      assertEquals(32, a.get(keys.get(0)).backlog());
      assertEquals(0, a.get("127.0.0.1:" + Loopback.port(any4)).listeners());

      // each address alone gives what the 7-address program gave
      for (String k : keys) {
        assertEquals(a.get(k), netlink.sample(k).get(k), k);
      }

      // all-listeners mode, restricted to our own listeners (other processes come and go)
      Map<String, ListenerStats> allA = netlink.sampleAll();
      Map<String, ListenerStats> allB = proc.sampleAll();
      for (ListenAddress own : OwnListeners.find()) {
        String k = own.canonical();
        assertTrue(allA.containsKey(k), k + " missing from netlink: " + allA.keySet());
        assertSame(k, allA.get(k), allB.get(k));
      }
    }
  }

  private static void assertSame(String key, ListenerStats n, ListenerStats p) {
    String msg = key + ": netlink " + n + " vs /proc " + p;
    assertEquals(p.active(), n.active(), msg);
    assertEquals(p.queued(), n.queued(), msg);
    assertEquals(p.listeners(), n.listeners(), msg);
    if (p.listeners() > 0) {
      assertEquals(ListenerStats.UNKNOWN, p.backlog(), msg);
      assertTrue(n.backlog() > 0, msg);
    }
  }

  /** The bytecode filter runs in the kernel: a 4-address query receives only matching rows. */
  @Test
  void kernelFiltersForSeveralAddresses() throws Exception {
    try (Loopback net = new Loopback();
        ListenerSampler sampler = ListenerSampler.open()) {
      List<String> keys = new ArrayList<>();
      List<ServerSocketChannel> ls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ServerSocketChannel l = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
        ls.add(l);
        keys.add("127.0.0.1:" + Loopback.port(l));
      }
      // plenty of unrelated established sockets on the host (client ends, other ports)
      ServerSocketChannel noise = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 256);
      for (int i = 0; i < 100; i++) {
        net.connect("127.0.0.1", Loopback.port(noise));
        net.accept(noise);
      }
      net.connect("127.0.0.1", Loopback.port(ls.get(0)));
      net.accept(ls.get(0));
      Map<String, ListenerStats> m = sampler.sample(keys.toArray(new String[0]));
      assertEquals(1, m.get(keys.get(0)).active());
      ListenerSampler primary = ((FallbackSampler) sampler).primary();
      long rows = (long) primary.getClass().getDeclaredMethod("rowsInLastSample").invoke(primary);
      // 4 listeners + 1 accepted socket (+ the connection's client end, whose local port differs,
      // is filtered out); without the kernel filter this would be 200+ rows
      assertTrue(rows >= 5 && rows <= 8, "rows sent by the kernel: " + rows);
    }
  }
}
