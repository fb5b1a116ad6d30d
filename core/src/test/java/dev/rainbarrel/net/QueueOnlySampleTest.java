package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ListenerSampler#sampleQueues} (listening sockets only) against the full sample on real
 * loopback listeners with queued and accepted connections: same queued, backlog and listener
 * count, active left unknown. The {@code /proc} cases run on every JDK (the JDK 17 pass exercises
 * the early stop in {@code /proc/net/tcp*}), and so does the netlink case (JNI library on 17).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueOnlySampleTest {

  /** Listeners of every kind, each with 3 queued and 2 accepted connections; returns the keys. */
  private static List<String> setUp(Loopback net, Path dir) throws IOException {
    List<String> keys = new ArrayList<>();
    ServerSocketChannel v4 = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 32);
    keys.add("127.0.0.1:" + Loopback.port(v4));
    ServerSocketChannel v6 = net.listen(StandardProtocolFamily.INET6, "::1", 0, 32);
    keys.add("[::1]:" + Loopback.port(v6));
    ServerSocketChannel mapped = net.listen(null, "127.0.0.1", 0, 32); // IPv4-mapped IPv6 socket
    keys.add("127.0.0.1:" + Loopback.port(mapped));
    ServerSocketChannel any4 = net.listen(StandardProtocolFamily.INET, "0.0.0.0", 0, 32);
    keys.add("0.0.0.0:" + Loopback.port(any4));
    keys.add("127.0.0.1:" + Loopback.port(any4)); // not the wildcard listener: 0/0
    Path sock = dir.resolve("q.sock");
    ServerSocketChannel ux = net.listenUnix(sock, 32);
    keys.add(sock.toString());
    for (ServerSocketChannel l : List.of(v4, v6, mapped, any4, ux)) {
      for (int i = 0; i < 5; i++) {
        if (l == ux) {
          net.connect(java.net.UnixDomainSocketAddress.of(sock));
        } else {
          net.connect(l == v6 ? "::1" : "127.0.0.1", Loopback.port(l));
        }
      }
      net.accept(l);
      net.accept(l);
    }
    return keys;
  }

  private static List<ListenAddress> parse(List<String> keys) {
    List<ListenAddress> out = new ArrayList<>();
    for (String k : keys) {
      out.add(ListenAddress.parse(k));
    }
    return out;
  }

  /** Compares the two samples key by key; returns how many addresses had a listener. */
  private static int assertSameQueues(List<String> keys, Map<String, ListenerStats> full,
      Map<String, ListenerStats> queues, String source) {
    int listening = 0;
    for (String k : keys) {
      ListenerStats f = full.get(k);
      ListenerStats q = queues.get(k);
      assertEquals(f.queued(), q.queued(), source + " queued of " + k + ": " + f + " vs " + q);
      assertEquals(f.backlog(), q.backlog(), source + " backlog of " + k);
      assertEquals(f.listeners(), q.listeners(), source + " listeners of " + k);
      if (k.startsWith("/")) {
        assertEquals(f.active(), q.active(), "Unix listeners are sampled in full: " + k);
      } else {
        assertEquals(ListenerStats.UNKNOWN, q.active(), source + " active of " + k + " is not counted");
      }
      if (f.listening()) {
        listening++;
      }
    }
    return listening;
  }

  @Test
  void procListeningSectionGivesTheFullParsersQueues(@TempDir Path dir) throws Exception {
    try (Loopback net = new Loopback(); ListenerSampler proc = ListenerSampler.openProc()) {
      List<String> keys = setUp(net, dir);
      List<ListenAddress> addrs = parse(keys);
      Loopback.assertStats(proc, keys.get(0), 2, 3); // handshakes done
      Map<String, ListenerStats> full = proc.sample(addrs);
      Map<String, ListenerStats> queues = proc.sampleQueues(addrs);
      assertEquals(keys, new ArrayList<>(queues.keySet()), "every address, in request order");
      assertEquals(5, assertSameQueues(keys, full, queues, "proc"));
      assertEquals(3, queues.get(keys.get(0)).queued(), "not vacuous: connections are queued");
      assertEquals(2, full.get(keys.get(0)).active());
    }
  }

  @Test
  void netlinkListenOnlyDumpGivesTheFullQueues(@TempDir Path dir) throws Exception {
    try (Loopback net = new Loopback(); ListenerSampler netlink = ListenerSampler.open()) {
      assertEquals(StatsSource.NETLINK, netlink.source(), netlink.fallbackReason());
      List<String> keys = setUp(net, dir);
      List<ListenAddress> addrs = parse(keys);
      Loopback.assertStats(netlink, keys.get(0), 2, 3);
      Map<String, ListenerStats> full = netlink.sample(addrs);
      Map<String, ListenerStats> queues = netlink.sampleQueues(addrs);
      assertEquals(5, assertSameQueues(keys, full, queues, "netlink"));
      assertEquals(32, queues.get(keys.get(0)).backlog(), "netlink reports the backlog limit");
    }
  }

  /**
   * The queue sample leaves out {@code /proc/net/tcp} only where it adds nothing: Java's
   * dual-stack listeners (IPv6 sockets on {@code 127.0.0.1} and {@code [::]}, IPv4 clients) give
   * the same queues as the full read of both files, while an IPv4 socket on a requested address,
   * or on a requested port at the latest read ({@code SO_REUSEPORT} across families), or a read
   * older than the recheck period, makes it read the IPv4 file again.
   */
  @Test
  void procQueueSampleSkipsTheIpv4FileOnlyWhereItAddsNothing() throws Exception {
    long[] now = {0};
    try (Loopback net = new Loopback()) {
      ProcListenerSampler proc = new ProcListenerSampler(new ProcNetReader(), () -> now[0]);
      ServerSocketChannel mapped = net.listen(null, "127.0.0.1", 0, 32); // IPv6 socket, dual stack
      ServerSocketChannel any = net.listen(null, "::", 0, 32);
      ServerSocketChannel shared6 = net.listenReusePort(StandardProtocolFamily.INET6, "127.0.0.1", 0, 32);
      int sharedPort = Loopback.port(shared6);
      ServerSocketChannel shared4 = net.listenReusePort(StandardProtocolFamily.INET, "127.0.0.1", sharedPort, 32);
      int[] queued = {3, 2};
      List<ServerSocketChannel> ls = List.of(mapped, any);
      for (int i = 0; i < 2; i++) {
        for (int k = 0; k < queued[i]; k++) {
          net.connect("127.0.0.1", Loopback.port(ls.get(i))); // IPv4 clients: mapped peers in tcp6
        }
      }
      List<String> dual = List.of("127.0.0.1:" + Loopback.port(mapped), "[::]:" + Loopback.port(any));
      for (int i = 0; i < 2; i++) {
        Loopback.assertStats(proc, dual.get(i), 0, queued[i]); // handshakes done
      }

      // dual stack only: the IPv4 file is read by the full sample, then left out
      Map<String, ListenerStats> full = proc.sample(parse(dual));
      long reads = proc.tcp4Reads();
      Map<String, ListenerStats> queues = proc.sampleQueues(parse(dual));
      assertEquals(reads, proc.tcp4Reads(), "the queue sample left /proc/net/tcp out");
      assertEquals(2, assertSameQueues(dual, full, queues, "proc without tcp"));
      assertEquals(3, queues.get(dual.get(0)).queued(), "not vacuous: connections are queued");
      assertEquals(2, queues.get(dual.get(1)).queued(), "IPv4 clients of [::] counted from tcp6");

      // the recheck period bounds how long the latest read is trusted
      now[0] += ProcListenerSampler.TCP4_RECHECK_NANOS;
      assertEquals(full.get(dual.get(0)).queued(), proc.sampleQueues(parse(dual)).get(dual.get(0)).queued());
      assertEquals(reads + 1, proc.tcp4Reads(), "read again after the recheck period");
      proc.sampleQueues(parse(dual));
      assertEquals(reads + 1, proc.tcp4Reads(), "and trusted again");

      // an IPv4 socket on a requested address, new since the latest read: tcp6 has no listener
      // there, so tcp is read
      ServerSocketChannel v4 = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 32);
      net.connect("127.0.0.1", Loopback.port(v4));
      List<String> withV4 = List.of(dual.get(0), "127.0.0.1:" + Loopback.port(v4));
      ListenerStats v4Queues = proc.sampleQueues(parse(withV4)).get(withV4.get(1));
      assertEquals(reads + 2, proc.tcp4Reads());
      assertEquals(1, v4Queues.queued());
      assertEquals(1, v4Queues.listeners());

      // IPv6 and IPv4 sockets sharing one address (SO_REUSEPORT): both listeners, every time
      List<String> shared = List.of("127.0.0.1:" + sharedPort);
      Map<String, ListenerStats> sharedFull = proc.sample(parse(shared));
      assertEquals(2, sharedFull.get(shared.get(0)).listeners());
      for (int i = 0; i < 2; i++) {
        long before = proc.tcp4Reads();
        assertEquals(sharedFull, proc.sampleQueues(parse(shared)).entrySet().stream().collect(
            java.util.stream.Collectors.toMap(Map.Entry::getKey,
                e -> new ListenerStats(sharedFull.get(e.getKey()).active(), e.getValue().queued(),
                    e.getValue().backlog(), e.getValue().listeners()))));
        assertEquals(before + 1, proc.tcp4Reads(), "an IPv4 listener on the port: tcp is read");
      }
    }
  }

  /** The early stop must find every listener the full walk finds, with the same queues. */
  @Test
  void listenOnlyReadSeesEveryListenRowOfTheFullRead(@TempDir Path dir) throws Exception {
    try (Loopback net = new Loopback()) {
      setUp(net, dir);
      ProcNetReader reader = new ProcNetReader();
      for (int family : new int[] {TcpTally.AF_INET, TcpTally.AF_INET6}) {
        Map<Long, String> fullListen = new LinkedHashMap<>();
        int[] nonListenBeforeLast = {0};
        int[] seenNonListen = {0};
        reader.readTcp(family, (f, addr, port, state, rq, wq, inode) -> {
          if (state == TcpTally.TCP_LISTEN) {
            fullListen.put(inode, port + "/" + rq);
            nonListenBeforeLast[0] = seenNonListen[0];
          } else if (state != 3) { // SYN_RECV
            seenNonListen[0]++;
          }
        });
        assertEquals(0, nonListenBeforeLast[0],
            "this kernel prints every LISTEN row before the other sockets (family " + family + ")");
        Map<Long, String> early = new LinkedHashMap<>();
        reader.readTcpListening(family, (f, addr, port, state, rq, wq, inode) -> {
          assertEquals(TcpTally.TCP_LISTEN, state, "only LISTEN rows are fed");
          early.put(inode, port + "/" + rq);
        });
        assertEquals(fullListen, early, "family " + family);
        assertTrue(seenNonListen[0] > 0 || family == TcpTally.AF_INET6,
            "not vacuous: the IPv4 table has connections after its listeners");
      }
    }
  }

  /** A file whose listening section ends early: rows after the first connection are not read. */
  @Test
  void listenOnlyReadStopsAtTheFirstConnection(@TempDir Path dir) throws Exception {
    Path net = Files.createDirectories(dir.resolve("proc/net"));
    String header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
        + "   uid  timeout inode\n";
    String listen = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000"
        + "     0        0 7001 1 0000000000000000 100 0 0 10 0\n";
    String synRecv = "   1: 0100007F:1F90 0100007F:D000 03 00000000:00000000 00:00000000 00000000"
        + "     0        0 0 1 0000000000000000 100 0 0 10 0\n";
    String listen2 = "   2: 0100007F:1F91 00000000:0000 0A 00000000:00000001 00:00000000 00000000"
        + "     0        0 7002 1 0000000000000000 100 0 0 10 0\n";
    String est = "   3: 0100007F:1F90 0100007F:D001 01 00000000:00000000 00:00000000 00000000"
        + "     0        0 7003 1 0000000000000000 100 0 0 10 0\n";
    String bad = "garbage that the early stop never parses\n";
    Files.write(net.resolve("tcp"),
        (header + listen + synRecv + listen2 + est + bad).getBytes(StandardCharsets.US_ASCII));
    ProcNetReader rooted = new ProcNetReader(dir.toString());
    List<String> rows = new ArrayList<>();
    rooted.readTcpListening(TcpTally.AF_INET, (f, a, port, st, rq, wq, inode) -> rows.add(port + ":" + rq + ":" + inode));
    assertEquals(List.of("8080:2:7001", "8081:1:7002"), rows,
        "SYN_RECV rows (pre-4.4 kernels print them after their listener) do not end the section");
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> rooted.readTcp(TcpTally.AF_INET, (f, a, port, st, rq, wq, inode) -> { }));
    assertTrue(e.getMessage().contains("unexpected line format"), "the full read parses every row");
  }
  /**
   * A full sample reads the connection rows of {@code /proc/net/tcp} only when an IPv4 socket
   * listens on a requested port: otherwise they cannot count (a connection counts while a socket
   * of its family listens on its port), and the kernel printing them was most of a full sample's
   * cost next to many IPv4 connections of other programs.
   */
  @Test
  void procFullSampleReadsIpv4ConnectionRowsOnlyForAnIpv4Listener() throws Exception {
    long[] now = {0};
    long[] tcpBytes = {0};
    ProcNetReader.Opener counting = f -> new java.io.FilterInputStream(new java.io.FileInputStream(f)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int r = super.read(b, off, len);
        if (f.endsWith("/tcp") && r > 0) {
          tcpBytes[0] += r;
        }
        return r;
      }
    };
    try (Loopback net = new Loopback()) {
      ProcListenerSampler proc = new ProcListenerSampler(new ProcNetReader("", counting), () -> now[0]);
      ServerSocketChannel mapped = net.listen(null, "127.0.0.1", 0, 32); // IPv6 socket, dual stack
      ServerSocketChannel v4 = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 32);
      for (ServerSocketChannel l : List.of(mapped, v4, v4)) {
        net.connect("127.0.0.1", Loopback.port(l));
        net.accept(l);
      }
      List<String> dual = List.of("127.0.0.1:" + Loopback.port(mapped));
      List<String> ipv4 = List.of("127.0.0.1:" + Loopback.port(v4));
      Loopback.assertStats(proc, ipv4.get(0), 2, 0);
      int fileBytes = Files.readAllBytes(Path.of(ProcNetReader.PROC_TCP)).length;

      // the first full sample of the dual-stack address has no fresh knowledge of tcp: it reads
      // the listening section, finds no IPv4 listener on the port, and stops there
      tcpBytes[0] = 0;
      Map<String, ListenerStats> dualFull = proc.sample(parse(dual));
      assertEquals(1, dualFull.get(dual.get(0)).active());
      assertTrue(tcpBytes[0] < fileBytes, "read " + tcpBytes[0] + " of /proc/net/tcp's " + fileBytes
          + " bytes: not the IPv4 connection rows (not vacuous: the IPv4 listener has two)");
      long reads = proc.tcp4Reads();
      tcpBytes[0] = 0;
      assertEquals(dualFull, proc.sample(parse(dual)));
      assertEquals(reads, proc.tcp4Reads(), "then trusts that read, as a queue sample does");
      assertEquals(0, tcpBytes[0]);

      // an IPv4 listener on the requested port: the whole file
      tcpBytes[0] = 0;
      Map<String, ListenerStats> v4Full = proc.sample(parse(ipv4));
      assertEquals(2, v4Full.get(ipv4.get(0)).active());
      assertEquals(1, v4Full.get(ipv4.get(0)).listeners());
      assertTrue(tcpBytes[0] >= fileBytes - 2 * ProcNetReader.MAX_ROW,
          "read " + tcpBytes[0] + " of about " + fileBytes + " bytes");
    }
  }
}
