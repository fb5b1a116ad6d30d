package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The netlink listing ({@link ListenerSampler#listeningSockets()}: {@code inet_diag} and {@code
 * unix_diag} LISTEN dumps) against the {@code /proc} one, and the queue sample answered from that
 * listing ({@link ListenerSampler#sampleQueuesAfterListing}) against a fresh LISTEN-only sample, on
 * real loopback and Unix listeners. JDK 17 (JNI library) and 25 (FFM).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetlinkListingTest {

  /** The listing entries (inode to address) whose address is one of {@code addresses}. */
  private static Map<Long, String> only(Map<Long, ListenAddress> listing, Set<String> addresses) {
    Map<Long, String> out = new TreeMap<>();
    for (Map.Entry<Long, ListenAddress> e : listing.entrySet()) {
      if (addresses.contains(e.getValue().toString())) {
        out.put(e.getKey(), e.getValue().toString());
      }
    }
    return out;
  }

  @Test
  void unixDiagListingEqualsProc(@TempDir Path dir) throws Exception {
    String abstractName = "rb-listing-" + System.nanoTime();
    try (Loopback net = new Loopback();
        AbstractUnixServer other = AbstractUnixServer.start(abstractName, 2, 1);
        ListenerSampler netlink = ListenerSampler.open()) {
      assertEquals(StatsSource.NETLINK, netlink.source(), netlink.fallbackReason());
      ServerSocketChannel v4 = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
      ServerSocketChannel mapped = net.listen(null, "127.0.0.1", 0, 8);
      ServerSocketChannel any = net.listen(null, "::", 0, 8);
      Path sock = dir.resolve("listing.sock");
      net.listenUnix(sock, 8);
      net.connect(java.net.UnixDomainSocketAddress.of(sock)); // connected sockets are not listed
      Set<String> mine = Set.of("127.0.0.1:" + Loopback.port(v4),
          "127.0.0.1:" + Loopback.port(mapped), "[::]:" + Loopback.port(any), sock.toString(),
          "@" + abstractName);
      Map<Long, String> fromNetlink = only(netlink.listeningSockets(), mine);
      assertEquals(StatsSource.NETLINK, netlink.source(), "the listing came from netlink");
      Map<Long, String> fromProc = only(OwnListeners.listeningSockets(new ProcNetReader(), true), mine);
      assertEquals(fromProc, fromNetlink);
      assertEquals(mine, Set.copyOf(fromNetlink.values()), "not vacuous: every listener is listed");
    }
  }

  @Test
  void queuesFromTheListingEqualAFreshSample(@TempDir Path dir) throws Exception {
    try (Loopback net = new Loopback(); ListenerSampler sampler = ListenerSampler.open()) {
      assertEquals(StatsSource.NETLINK, sampler.source(), sampler.fallbackReason());
      ListenerSampler netlink = ((FallbackSampler) sampler).primary();
      Method rows = netlink.getClass().getDeclaredMethod("rowsInLastSample");
      rows.setAccessible(true);
      List<String> keys = new ArrayList<>();
      ServerSocketChannel v4 = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 32);
      ServerSocketChannel v6 = net.listen(StandardProtocolFamily.INET6, "::1", 0, 16);
      ServerSocketChannel mapped = net.listen(null, "127.0.0.1", 0, 24);
      ServerSocketChannel any = net.listen(null, "::", 0, 8);
      ServerSocketChannel any4 = net.listen(StandardProtocolFamily.INET, "0.0.0.0", 0, 12);
      keys.add("127.0.0.1:" + Loopback.port(v4));
      keys.add("[::1]:" + Loopback.port(v6));
      keys.add("127.0.0.1:" + Loopback.port(mapped));
      keys.add("[::]:" + Loopback.port(any));
      keys.add("0.0.0.0:" + Loopback.port(any4));
      keys.add("127.0.0.1:" + Loopback.port(any4)); // not the wildcard listener: nothing
      keys.add("127.0.0.1:1"); // nothing listens
      int q = 1;
      for (ServerSocketChannel l : List.of(v4, v6, mapped, any, any4)) {
        for (int i = 0; i < q; i++) {
          net.connect(l == v6 ? "::1" : "127.0.0.1", Loopback.port(l));
        }
        q++; // 1 to 5 queued: a mix-up between listeners shows
      }
      List<ListenAddress> addrs = new ArrayList<>();
      for (String k : keys) {
        addrs.add(ListenAddress.parse(k));
      }
      for (int i = 0; i < 5; i++) {
        Loopback.assertStats(sampler, keys.get(i), 0, i + 1); // handshakes done
      }
      Map<String, ListenerStats> fresh = sampler.sampleQueues(addrs);
      assertTrue((long) rows.invoke(netlink) > 0, "a fresh sample asks the kernel");
      sampler.listeningSockets();
      Map<String, ListenerStats> reused = sampler.sampleQueuesAfterListing(addrs);
      assertEquals(0L, (long) rows.invoke(netlink), "the rows came from the listing, not the kernel");
      assertEquals(fresh, reused);
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 0L, 0L),
          keys.stream().map(k -> reused.get(k).queued()).toList(), "not vacuous: queues seen");
      assertEquals(32, reused.get(keys.get(0)).backlog());
      assertEquals(ListenerStats.UNKNOWN, reused.get(keys.get(0)).active());

      // a listing serves only the call right after it
      sampler.sampleQueuesAfterListing(addrs);
      assertTrue((long) rows.invoke(netlink) > 0, "no listing just before: the kernel is asked");
    }
  }
}
