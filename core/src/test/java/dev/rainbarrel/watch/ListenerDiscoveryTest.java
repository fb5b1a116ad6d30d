package dev.rainbarrel.watch;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.StatsSource;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Discovery of this process's listeners, with the /proc rescan throttle under a fake clock. */
@Timeout(30)
class ListenerDiscoveryTest {

  static ServerSocket listen() throws Exception {
    return new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"));
  }

  static ListenAddress addr(ServerSocket s) {
    return ListenAddress.parse("127.0.0.1:" + s.getLocalPort());
  }

  @Test
  void procDiscoveryDropsClosedListenersAtOnceAndFindsNewOnesWithinTheRescanPeriod() throws Exception {
    AtomicLong nanos = new AtomicLong(1_000_000_000L);
    try (ListenerSampler proc = ListenerSampler.openProc(); ServerSocket a = listen()) {
      ListenerDiscovery d = new ListenerDiscovery(proc, nanos::get);
      List<ListenAddress> first = d.discover();
      assertTrue(first.contains(addr(a)), first.toString());
      assertEquals(1, d.fullScans());
      assertEquals(first, d.discover(), "nothing new: no rescan");
      assertEquals(1, d.fullScans());
      try (ServerSocket b = listen()) {
        assertFalse(d.discover().contains(addr(b)), "a rescan waits for the throttle");
        nanos.addAndGet(ListenerDiscovery.PROC_RESCAN_NANOS);
        assertTrue(d.discover().contains(addr(b)), "found after the rescan period");
        assertEquals(2, d.fullScans());
      }
      ListenAddress gone;
      try (ServerSocket c = listen()) {
        nanos.addAndGet(ListenerDiscovery.PROC_RESCAN_NANOS);
        assertTrue(d.discover().contains(addr(c)));
        gone = addr(c);
      }
      long scans = d.fullScans();
      assertFalse(d.discover().contains(gone), "a closed listener disappears without a rescan");
      assertEquals(scans, d.fullScans());
    }
  }

  @Test
  void netlinkDiscoveryFollowsListenersEveryRound() throws Exception {
    try (ListenerSampler s = ListenerSampler.open()) {
      assumeTrue(s.source() == StatsSource.NETLINK, "netlink needs JDK 22+: " + s.fallbackReason());
      ListenerDiscovery d = new ListenerDiscovery(s, System::nanoTime);
      ListenAddress closed;
      try (ServerSocket a = listen()) {
        assertTrue(d.discover().contains(addr(a)));
        try (ServerSocket b = listen()) {
          assertTrue(d.discover().contains(addr(b)), "no throttle with netlink");
        }
        closed = addr(a);
        assertTrue(d.discover().contains(closed));
      }
      assertFalse(d.discover().contains(closed));
      assertEquals(StatsSource.NETLINK, s.source());
    }
  }
}
