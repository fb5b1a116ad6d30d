package dev.rainbarrel.watch;

import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.StatsSource;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
      ListenerDiscovery d = new ListenerDiscovery(proc, nanos::get, Set.of());
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

  /**
   * On /proc, listing this process's descriptors costs a readlink each (13 ms for a server
   * holding 5 000 connections), so the next listing waits in proportion to the sockets the last
   * one found; a closed listener still goes at once (its own descriptor is checked, then the
   * process listed), a new one waits for the next listing. The fake clock stands still unless
   * moved.
   */
  @Test
  void procDescriptorListingsAreSpacedAndAClosedListenerStillGoesAtOnce() throws Exception {
    AtomicLong nanos = new AtomicLong(1_000_000_000L);
    try (ListenerSampler proc = ListenerSampler.openProc(); ServerSocket a = listen()) {
      ListenerDiscovery d = new ListenerDiscovery(proc, nanos::get, Set.of());
      assertTrue(d.discover().contains(addr(a)));
      assertEquals(1, d.fdScans());
      ListenAddress closed;
      try (ServerSocket b = listen(); ServerSocket c = listen()) {
        List<ListenAddress> spaced = d.discover();
        assertFalse(spaced.contains(addr(b)), "no listing yet: " + spaced);
        assertTrue(spaced.contains(addr(a)), "still watched between listings");
        assertEquals(1, d.fdScans());
        a.close();
        closed = addr(a);
        assertFalse(d.discover().contains(closed), "a closed listener goes at once");
        assertEquals(2, d.fdScans(), "its descriptor was checked, then the process listed");
        d.discover();
        assertEquals(2, d.fdScans(), "and spaced again after that listing");

        // the next listing, late enough for the socket tables' own throttle too
        nanos.addAndGet(Math.max(ListenerDiscovery.FD_SCAN_MAX_NANOS, ListenerDiscovery.PROC_RESCAN_NANOS));
        List<ListenAddress> listed = d.discover();
        assertEquals(3, d.fdScans(), "listed again once the wait is over");
        assertTrue(listed.contains(addr(b)) && listed.contains(addr(c)), listed.toString());
        assertFalse(listed.contains(closed));
      }
    }
  }

  /** The wait grows with the sockets a listing read (≈ 3 000 times its cost), up to the bound. */
  @Test
  void theWaitBeforeTheNextListingFollowsTheSocketCountUpToTheBound() {
    assertEquals(400_000_000L, ListenerDiscovery.listingWait(100));
    assertEquals(40_000_000_000L, ListenerDiscovery.listingWait(10_000));
    assertEquals(ListenerDiscovery.FD_SCAN_MAX_NANOS, ListenerDiscovery.listingWait(20_000));
    assertEquals(ListenerDiscovery.FD_SCAN_MAX_NANOS, ListenerDiscovery.listingWait(Integer.MAX_VALUE));
  }

  @Test
  void netlinkDiscoveryFollowsListenersEveryRound() throws Exception {
    try (ListenerSampler s = ListenerSampler.open()) {
      assertEquals(StatsSource.NETLINK, s.source(), s.fallbackReason());
      ListenerDiscovery d = new ListenerDiscovery(s, System::nanoTime, Set.of());
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

  @TempDir Path tmp;

  /**
   * The agent's own endpoint ports and the JVM's attach socket are this process's listeners but not
   * the application's: both sources leave them out, and keep everything else.
   */
  @Test
  void leavesOutIgnoredPortsAndTheAttachSocket() throws Exception {
    try (ServerSocket endpoint = listen(); ServerSocket app = listen();
        ServerSocketChannel attach = unixListener(tmp.resolve(".java_pid" + ProcessHandle.current().pid() + ".tmp"));
        ServerSocketChannel appSocket = unixListener(tmp.resolve("app.sock"))) {
      for (ListenerSampler s : List.of(ListenerSampler.openProc(), ListenerSampler.open())) {
        try (s) {
          List<ListenAddress> found = new ListenerDiscovery(s, System::nanoTime, Set.of(endpoint.getLocalPort())).discover();
          String what = s.source() + ": " + found;
          assertTrue(found.contains(addr(app)), what);
          assertTrue(found.contains(ListenAddress.ofUnix(tmp.resolve("app.sock").toString())), what);
          assertFalse(found.contains(addr(endpoint)), what);
          assertFalse(found.stream().anyMatch(a -> !a.isTcp() && a.path().contains(".java_pid")), what);
        }
      }
    }
  }

  private static ServerSocketChannel unixListener(Path path) throws Exception {
    ServerSocketChannel c = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    c.bind(UnixDomainSocketAddress.of(path));
    return c;
  }
}
