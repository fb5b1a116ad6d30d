package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JNI library for netlink on JDK 17-21 ({@link SockDiagJni}, {@link SockDiagDump}) and the
 * {@code /proc} sampler's use of it. On JDK 17 (the build's second test pass) the library must
 * load, since the build compiles it for this machine; on JDK 22+ it must stay unused and say why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SockDiagJniTest {

  private static final boolean JNI_EXPECTED = Runtime.version().feature() < 22;

  @Test
  void loadsOnJdk17To21AndStaysUnusedOn22Up() throws IOException {
    String why = SockDiagJni.unavailableReason();
    if (JNI_EXPECTED) {
      assertNull(why, "the build compiled the library for this machine; it must load here");
      try (SockDiagDump d = SockDiagDump.open()) {
        assertEquals(SockDiagDump.RECEIVE_TIMEOUT_MS, d.receiveTimeoutMillis(),
            "SO_RCVTIMEO is set on the real socket");
      }
    } else {
      assertNotNull(why);
      assertTrue(why.contains("JDK 22+"), why);
      IOException e = assertThrows(IOException.class, SockDiagDump::open);
      assertTrue(e.getMessage().contains(why), e.getMessage());
      try (ListenerSampler s = ListenerSampler.openProc()) {
        assertEquals(why, s.jniUnavailableReason());
      }
    }
  }

  /**
   * The dump returns exactly the rows {@code /proc} shows for the asked ports and states (the
   * kernel filters by port), keyed by family, state, local address, port and inode.
   */
  @Test
  void dumpGivesTheRowsOfTheFilesForTheAskedPorts() throws Exception {
    if (!JNI_EXPECTED) {
      return; // covered by the test above: no library on JDK 22+
    }
    try (Loopback net = new Loopback(); SockDiagDump dump = SockDiagDump.open()) {
      ServerSocketChannel a = net.listen(null, "127.0.0.1", 0, 16); // Java's dual-stack socket: tcp6
      ServerSocketChannel b = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 16); // tcp
      ServerSocketChannel other = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 16);
      for (ServerSocketChannel l : List.of(a, b, other)) {
        for (int i = 0; i < 3; i++) {
          net.connect("127.0.0.1", Loopback.port(l));
        }
        net.accept(l);
        net.accept(l);
      }
      Thread.sleep(50); // the last handshakes land before two snapshots are compared
      int[] ports = {Loopback.port(a), Loopback.port(b)};
      String otherPort = ":" + Loopback.port(other) + " ";
      // the listening sockets and the server ends of the connections are on the asked ports (the
      // clients' ends have ephemeral ones); both families, so that tcp and tcp6 are both compared
      int states = (1 << TcpTally.TCP_ESTABLISHED) | (1 << TcpTally.TCP_LISTEN);
      for (int family : new int[] {TcpTally.AF_INET, TcpTally.AF_INET6}) {
        TreeSet<String> fromNetlink = new TreeSet<>();
        long n = dump.dump(family, states, ports, ports.length, rows(fromNetlink, null));
        assertEquals(fromNetlink.size(), n, "one row per socket");
        assertEquals(n, dump.rowsInLastDump());
        assertTrue(n > 0);
        assertTrue(fromNetlink.stream().noneMatch(r -> r.contains(otherPort)),
            "the kernel filtered the other port out: " + fromNetlink);
        TreeSet<String> fromProc = new TreeSet<>();
        new ProcNetReader().readTcp(family, rows(fromProc, ports));
        assertEquals(fromProc, fromNetlink, "family " + family);
      }
      // one port: the kernel's sport fast path plus the one-condition program
      TreeSet<String> v6 = new TreeSet<>();
      dump.dump(TcpTally.AF_INET6, states, ports, 1, rows(v6, null));
      assertEquals(1 + 3, v6.size(), "a's listener and its 3 established server ends: " + v6);
    }
  }

  /**
   * Rows (on {@code ports}, or all when null) as comparable strings; the queues of connections
   * may change between two snapshots, so only a listener's is kept.
   */
  private static ProcNetReader.TcpRowSink rows(TreeSet<String> into, int[] ports) {
    return (family, addr, port, state, rq, wq, inode) -> {
      boolean asked = ports == null;
      for (int p : ports == null ? new int[0] : ports) {
        asked |= p == port;
      }
      if (!asked || (state != TcpTally.TCP_ESTABLISHED && state != TcpTally.TCP_LISTEN)) {
        return;
      }
      StringBuilder a = new StringBuilder();
      for (int k = 0; k < (family == TcpTally.AF_INET ? 4 : 16); k++) {
        a.append(String.format("%02x", addr[k]));
      }
      into.add(family + " " + state + " " + a + ":" + port + " inode=" + inode
          + (state == TcpTally.TCP_LISTEN ? " rq=" + rq : ""));
    };
  }

  /**
   * Full samples with and without the netlink rows give the same answers on the same sockets,
   * and the default sampler really uses them on JDK 17-21.
   */
  @Test
  void sampleWithNetlinkRowsEqualsTheFilesWhole() throws Exception {
    try (Loopback net = new Loopback();
        ProcListenerSampler withJni = new ProcListenerSampler();
        ProcListenerSampler files = new ProcListenerSampler(new ProcNetReader(), System::nanoTime, false)) {
      List<String> keys = new ArrayList<>();
      ServerSocketChannel mapped = net.listen(null, "127.0.0.1", 0, 32);
      keys.add("127.0.0.1:" + Loopback.port(mapped));
      ServerSocketChannel v4 = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 32);
      keys.add("127.0.0.1:" + Loopback.port(v4));
      ServerSocketChannel v6 = net.listen(StandardProtocolFamily.INET6, "::1", 0, 32);
      keys.add("[::1]:" + Loopback.port(v6));
      ServerSocketChannel dual = net.listen(null, "::", 0, 32);
      keys.add("[::]:" + Loopback.port(dual));
      ServerSocketChannel any4 = net.listen(StandardProtocolFamily.INET, "0.0.0.0", 0, 32);
      keys.add("0.0.0.0:" + Loopback.port(any4));
      for (ServerSocketChannel l : List.of(mapped, v4, v6, dual, any4)) {
        for (int i = 0; i < 4; i++) {
          net.connect(l == v6 || (l == dual && i % 2 == 1) ? "::1" : "127.0.0.1", Loopback.port(l));
        }
        net.accept(l);
        net.accept(l);
      }
      Thread.sleep(50);
      Map<String, ListenerStats> j = withJni.sample(keys.toArray(new String[0]));
      Map<String, ListenerStats> f = files.sample(keys.toArray(new String[0]));
      assertSameButBacklog(f, j);
      for (String k : keys) {
        assertEquals(2, j.get(k).active(), k);
        assertEquals(2, j.get(k).queued(), k);
        assertEquals(ListenerStats.UNKNOWN, f.get(k).backlog(), "the files do not carry it");
        assertEquals(JNI_EXPECTED ? 32 : ListenerStats.UNKNOWN, j.get(k).backlog(),
            k + ": netlink's LISTEN rows carry it");
      }
      if (JNI_EXPECTED) {
        assertNull(withJni.jniUnavailableReason(), "the full sample went over netlink");
        assertTrue(withJni.netlinkForTests().rowsInLastDump() > 0);
      }
      // queue-only samples too: the listeners alone, the same answers as the files' listening sections
      Map<String, ListenerStats> jq = withJni.sampleQueues(parse(keys));
      assertSameButBacklog(files.sampleQueues(parse(keys)), jq);
      for (String k : keys) {
        assertEquals(ListenerStats.UNKNOWN, jq.get(k).active(), k);
        assertEquals(2, jq.get(k).queued(), k);
        assertEquals(JNI_EXPECTED ? 32 : ListenerStats.UNKNOWN, jq.get(k).backlog(), k);
      }
      if (JNI_EXPECTED) {
        // the last dump was IPv6's LISTEN rows on the queried ports: the dual-stack listeners'
        assertEquals(3, withJni.netlinkForTests().rowsInLastDump());
      }
      assertNotNull(files.jniUnavailableReason());
    }
  }

  private static void assertSameButBacklog(Map<String, ListenerStats> files, Map<String, ListenerStats> jni) {
    assertEquals(List.copyOf(files.keySet()), List.copyOf(jni.keySet()));
    for (String k : files.keySet()) {
      ListenerStats f = files.get(k);
      ListenerStats j = jni.get(k);
      assertEquals(f, new ListenerStats(j.active(), j.queued(), f.backlog(), j.listeners()), k);
    }
  }

  private static List<ListenAddress> parse(List<String> keys) {
    List<ListenAddress> out = new ArrayList<>();
    for (String k : keys) {
      out.add(ListenAddress.parse(k));
    }
    return out;
  }

  /**
   * A failing dump is answered from the files (same result); the third failure in a row stops
   * netlink for good and says why.
   */
  @Test
  void failingDumpsFallBackToTheFiles() throws Exception {
    if (!JNI_EXPECTED) {
      return;
    }
    try (Loopback net = new Loopback(); ProcListenerSampler s = new ProcListenerSampler()) {
      ServerSocketChannel l = net.listen(null, "127.0.0.1", 0, 16);
      String key = "127.0.0.1:" + Loopback.port(l);
      for (int i = 0; i < 3; i++) {
        net.connect("127.0.0.1", Loopback.port(l));
      }
      net.accept(l);
      assertEquals(1, s.sample(key).get(key).active());
      assertEquals(16, s.sample(key).get(key).backlog(), "over netlink");
      assertNull(s.jniUnavailableReason());
      SockDiagDump d = s.netlinkForTests();
      d.close(); // every later dump fails, as a seccomp filter refusing netlink would make it
      for (int i = 1; i <= ProcListenerSampler.MAX_JNI_FAILURES; i++) {
        ListenerStats st = s.sample(key).get(key);
        assertEquals(1, st.active(), "failure " + i + ": answered from the files");
        assertEquals(2, st.queued());
        assertEquals(ListenerStats.UNKNOWN, st.backlog(), "from the files");
        assertNotNull(s.jniUnavailableReason());
      }
      assertTrue(s.jniUnavailableReason().contains("3 times in a row"), s.jniUnavailableReason());
      assertNull(s.netlinkForTests(), "netlink given up");
      assertEquals(1, s.sample(key).get(key).active());
    }
  }
}
