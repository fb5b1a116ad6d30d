package dev.rainbarrel.net;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@link ListenerSampler} over {@code /proc/net/tcp}, {@code /proc/net/tcp6} and {@code
 * /proc/net/unix}. Works on every JDK; the files do not carry the backlog limit, so {@code
 * backlog} is {@link ListenerStats#UNKNOWN} for addresses that have a listener (but for TCP
 * queries answered over netlink, below).
 *
 * <p>A read of a {@code /proc/net/tcp*} file can cost half a millisecond however few sockets the
 * host has (the kernel searches its whole established hash for the row after the listeners when
 * there is none of that family; docs/BENCHMARKS.md, Watcher). A sample therefore skips the IPv4
 * file when it cannot contribute: Java listens on IPv4 addresses with IPv6 sockets ({@code
 * ::ffff:127.0.0.1}, dual stack), whose rows, and their IPv4 peers', are in {@code tcp6}. It is
 * skipped when {@code tcp6} already shows a listener on every IPv4 address asked for and the
 * latest read of {@code tcp} (at most {@value #TCP4_RECHECK_NANOS} ns old) had no IPv4 listener
 * on any of their ports. An IPv4 socket could then only listen on the same address and port
 * by {@code SO_REUSEPORT} together with the IPv6 one (same user, both sockets opting in); such a
 * socket, created since that read, is missed until the next read of {@code tcp}, {@value
 * #TCP4_RECHECK_NANOS} ns at most.
 *
 * <p>When {@code tcp} is not skipped, a {@link #sampleQueues queue sample} reads its listening
 * section, and a full sample reads that section first: its connection rows are read only when an
 * IPv4 socket listens on the port of an IPv4 query, the only case in which they count. On a host
 * whose many connections are IPv4 (another program's) and whose Java server listens dual stack,
 * that is most of a full sample's cost.
 *
 * <p><b>Netlink rows on JDK 17-21.</b> Where the project's JNI library loads ({@link
 * SockDiagJni}), the TCP queries are answered from {@code NETLINK_SOCK_DIAG} dumps filtered by
 * their ports in the kernel instead ({@link SockDiagDump}): the listeners of both families (the
 * kernel's listening hash), and for a full sample the ESTABLISHED sockets of each family that
 * listens on a queried port. The kernel then no longer prints every connection of the host (a
 * server's own thousands of keep-alive connections made a full sample cost 15-23 ms), nor walks
 * its established hash for a queue sample. The rows feed the same {@link TcpTally}, so {@code
 * active}, {@code queued} and {@code listeners} are those of the files, and {@code backlog} is
 * known (netlink's LISTEN rows carry it, the files do not). Unix sockets,
 * all-listeners mode and {@link #listeningSockets()} still read the files. A dump that fails is
 * answered from the files; after {@value #MAX_JNI_FAILURES} failures in a row (a seccomp filter,
 * a container refusing netlink) the socket is closed, one line goes to stderr and the files
 * answer from then on ({@link #jniUnavailableReason()}).
 */
final class ProcListenerSampler implements ListenerSampler {

  private final ProcNetReader reader;
  private final TcpTally tcp = new TcpTally();
  private final UnixTally unix = new UnixTally();
  private final List<ListenAddress> tcpQ = new ArrayList<>();
  private final List<ListenAddress> unixQ = new ArrayList<>();

  /** Longest time a queue sample relies on the latest read of {@code /proc/net/tcp} to skip it. */
  static final long TCP4_RECHECK_NANOS = 10_000_000_000L;

  private final LongSupplier nanoTime;

  /** Consecutive failed netlink dumps after which the files answer for good. */
  static final int MAX_JNI_FAILURES = 3;

  private SockDiagDump netlinkDump; // opened by the first TCP sample; null when not used
  private boolean jniTried;
  private String jniReason; // why the files answer TCP queries (null while netlink does)
  private int jniFailures; // consecutive
  private int[] ports = new int[8];
  private final BitSet tcp4ListenPorts = new BitSet(65536); // IPv4 LISTEN ports at the latest read
  private boolean tcp4Known; // the latest read of /proc/net/tcp completed
  private long tcp4ReadAt;
  private long tcp4Reads; // tests
  /** Records the IPv4 listening ports only. */
  private final ProcNetReader.TcpRowSink tcp4PortRecorder = (family, addr, port, state, rq, wq, inode) -> {
    if (state == TcpTally.TCP_LISTEN) {
      tcp4ListenPorts.set(port);
    }
  };

  /** Records the IPv4 listening ports, then counts the row in {@link #tcp}. */
  private final ProcNetReader.TcpRowSink tcp4Recorder = (family, addr, port, state, rq, wq, inode) -> {
    tcp4PortRecorder.row(family, addr, port, state, rq, wq, inode);
    tcp.row(family, addr, port, state, rq, wq, inode);
  };

  /** The files of this host, with netlink through the JNI library where it loads. */
  ProcListenerSampler() {
    this(new ProcNetReader(), System::nanoTime, true);
  }

  /** The files {@code reader} reads, only them (tests give a folder of their own). */
  ProcListenerSampler(ProcNetReader reader) {
    this(reader, System::nanoTime, false);
  }

  /** As {@link #ProcListenerSampler(ProcNetReader)}, with a clock for the IPv4 file's skip. */
  ProcListenerSampler(ProcNetReader reader, LongSupplier nanoTime) {
    this(reader, nanoTime, false);
  }

  /** @param useJni whether TCP queries may be answered over netlink ({@link SockDiagJni}) */
  ProcListenerSampler(ProcNetReader reader, LongSupplier nanoTime, boolean useJni) {
    this.reader = reader;
    this.nanoTime = nanoTime;
    if (!useJni) {
      jniReason = "turned off for this sampler";
      jniTried = true;
    }
  }

  @Override
  public Map<String, ListenerStats> sample(List<ListenAddress> addresses) throws IOException {
    return sample(addresses, false);
  }

  /** Reads only the listening section of {@code /proc/net/tcp*} (see {@link ProcNetReader#readTcpListening}). */
  @Override
  public Map<String, ListenerStats> sampleQueues(List<ListenAddress> addresses) throws IOException {
    return sample(addresses, true);
  }

  private Map<String, ListenerStats> sample(List<ListenAddress> addresses, boolean queuesOnly) throws IOException {
    Map<String, ListenerStats> out = new LinkedHashMap<>();
    split(addresses, tcpQ, unixQ, out);
    if (!tcpQ.isEmpty()) {
      SockDiagDump dump = netlink();
      if (dump == null || !sampleTcpOverNetlink(queuesOnly, dump)) {
        sampleTcpFromFiles(queuesOnly); // no library, or this dump failed
      }
      tcp.putQueryResults(out);
    }
    if (!unixQ.isEmpty()) {
      unix.startQuery(unixQ, false);
      reader.readUnix(unix);
      unix.putQueryResults(out);
    }
    return out;
  }

  /** Tallies the TCP queries of {@link #tcpQ} from the files (see the class comment). */
  private void sampleTcpFromFiles(boolean queuesOnly) throws IOException {
    tcp.startQuery(tcpQ, false, !queuesOnly);
    // IPv6 first: a queue sample may then find the IPv4 file has nothing to add
    readTcp(TcpTally.AF_INET6, queuesOnly);
    if (tcp.wantsFamily(TcpTally.AF_INET) && !tcp4Unneeded()) {
      if (queuesOnly) {
        readTcp(TcpTally.AF_INET, true);
      } else if (ipv4ListenerOnAQueryPort()) {
        readTcp(TcpTally.AF_INET, false);
      }
    }
  }

  /**
   * Tallies the TCP queries of {@link #tcpQ} from netlink dumps filtered by their ports: the
   * listeners of both families (the kernel's listening hash: cheap), then, for a full sample, the
   * connections of each family that has a listener on a queried port (one walk of the established
   * hash per such family; a connection only counts while its family listens on its port, {@link
   * TcpTally}). Unlike the files, the LISTEN rows carry the backlog limit ({@code idiag_wqueue}),
   * so it is known; a sample answered from the files when a dump fails reports it unknown.
   *
   * @return false if a dump failed (counted; the third failure in a row stops netlink for good)
   */
  private boolean sampleTcpOverNetlink(boolean queuesOnly, SockDiagDump dump) {
    int n = 0;
    for (ListenAddress q : tcpQ) {
      if (n == ports.length) {
        ports = java.util.Arrays.copyOf(ports, n * 2);
      }
      ports[n++] = q.port();
    }
    try {
      tcp.startQuery(tcpQ, true, !queuesOnly);
      boolean v4 = tcp.wantsFamily(TcpTally.AF_INET);
      long listen4 = v4 ? dump.dump(TcpTally.AF_INET, 1 << TcpTally.TCP_LISTEN, ports, n, tcp) : 0;
      long listen6 = dump.dump(TcpTally.AF_INET6, 1 << TcpTally.TCP_LISTEN, ports, n, tcp);
      if (!queuesOnly && listen4 > 0) {
        dump.dump(TcpTally.AF_INET, 1 << TcpTally.TCP_ESTABLISHED, ports, n, tcp);
      }
      if (!queuesOnly && listen6 > 0) {
        dump.dump(TcpTally.AF_INET6, 1 << TcpTally.TCP_ESTABLISHED, ports, n, tcp);
      }
      jniFailures = 0;
      jniReason = null;
      return true;
    } catch (IOException | RuntimeException e) {
      if (++jniFailures >= MAX_JNI_FAILURES) {
        jniReason = "netlink (JNI) failed " + jniFailures + " times in a row, /proc answers from"
            + " now on: " + e.getMessage();
        // stderr, not System.Logger (JUL must not start in premain; see NativeNet)
        System.err.println("rainbarrel: " + jniReason);
        dump.close();
        netlinkDump = null;
      } else {
        jniReason = "netlink (JNI) failed, this sample came from /proc: " + e.getMessage();
      }
      return false;
    }
  }

  /** The netlink dump for TCP queries, opened on first use; null when it is not used. */
  private SockDiagDump netlink() {
    if (!jniTried) {
      jniTried = true;
      try {
        netlinkDump = SockDiagDump.open();
      } catch (IOException e) {
        jniReason = e.getMessage();
      }
    }
    return netlinkDump;
  }

  /** The netlink dump, null when not (or no longer) used (tests). */
  SockDiagDump netlinkForTests() {
    return netlinkDump;
  }

  /**
   * Null while TCP queries are answered over netlink through the JNI library; otherwise why the
   * files answer (JDK 22+, no library for this platform, turned off, refused by the kernel).
   * Before the first TCP sample: whether the library would load.
   */
  @Override
  public String jniUnavailableReason() {
    if (!jniTried) {
      return SockDiagJni.unavailableReason();
    }
    return jniReason;
  }

  /**
   * After {@code tcp6}: true when the IPv4 file cannot add a listener to the IPv4 queries (see
   * the class comment).
   */
  private boolean tcp4Unneeded() {
    return tcp4Known
        && nanoTime.getAsLong() - tcp4ReadAt < TCP4_RECHECK_NANOS
        && tcp.everyIpv4QueryListened()
        && !tcp.someIpv4QueryPortIn(tcp4ListenPorts);
  }

  /**
   * Reads the listening section of {@code /proc/net/tcp} alone and tells whether an IPv4 socket
   * listens on the port of an IPv4 query. If none does, the file's connection rows cannot count
   * ({@link TcpTally}: a connection counts while a socket of its family listens on its port), so
   * a full sample need not have the kernel print them: next to many IPv4 connections of other
   * programs that is most of the sample's cost, for nothing.
   */
  private boolean ipv4ListenerOnAQueryPort() throws IOException {
    readTcp4(true, tcp4PortRecorder);
    return tcp.someIpv4QueryPortIn(tcp4ListenPorts);
  }

  private void readTcp(int family, boolean listeningOnly) throws IOException {
    if (family == TcpTally.AF_INET) {
      readTcp4(listeningOnly, tcp4Recorder);
    } else if (listeningOnly) {
      reader.readTcpListening(family, tcp);
    } else {
      reader.readTcp(family, tcp);
    }
  }

  /** Reads {@code /proc/net/tcp} into {@code sink}, which records its LISTEN ports for the skip. */
  private void readTcp4(boolean listeningOnly, ProcNetReader.TcpRowSink sink) throws IOException {
    tcp4Known = false;
    tcp4ListenPorts.clear();
    tcp4Reads++;
    if (listeningOnly) {
      reader.readTcpListening(TcpTally.AF_INET, sink);
    } else {
      reader.readTcp(TcpTally.AF_INET, sink);
    }
    tcp4Known = true;
    tcp4ReadAt = nanoTime.getAsLong();
  }

  /** Reads of {@code /proc/net/tcp} so far (tests). */
  long tcp4Reads() {
    return tcp4Reads;
  }

  /** Splits by kind and pre-inserts keys so the result keeps the request order. */
  static void split(
      List<ListenAddress> all,
      List<ListenAddress> tcp,
      List<ListenAddress> unix,
      Map<String, ListenerStats> out) {
    tcp.clear();
    unix.clear();
    for (ListenAddress a : all) {
      (a.isTcp() ? tcp : unix).add(a);
      out.put(a.toString(), ListenerStats.NONE);
    }
  }

  @Override
  public Map<String, ListenerStats> sampleAllTcp() throws IOException {
    tcp.startAll(false);
    readTcp(TcpTally.AF_INET, false);
    readTcp(TcpTally.AF_INET6, false);
    return tcp.allResults();
  }

  @Override
  public Map<String, ListenerStats> sampleAll() throws IOException {
    Map<String, ListenerStats> out = sampleAllTcp();
    unix.startAll(false);
    reader.readUnix(unix);
    unix.putAllResults(out);
    return out;
  }

  @Override
  public StatsSource source() {
    return StatsSource.PROC;
  }

  @Override
  public void close() {
    SockDiagDump d = netlinkDump; // files are opened and closed per sample
    if (d != null) {
      netlinkDump = null;
      jniReason = "closed";
      d.close();
    }
  }
}
