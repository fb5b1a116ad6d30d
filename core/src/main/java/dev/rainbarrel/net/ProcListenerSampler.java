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
 * backlog} is {@link ListenerStats#UNKNOWN} for addresses that have a listener.
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

  ProcListenerSampler() {
    this(new ProcNetReader(), System::nanoTime);
  }

  ProcListenerSampler(ProcNetReader reader) {
    this(reader, System::nanoTime);
  }

  ProcListenerSampler(ProcNetReader reader, LongSupplier nanoTime) {
    this.reader = reader;
    this.nanoTime = nanoTime;
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
      tcp.putQueryResults(out);
    }
    if (!unixQ.isEmpty()) {
      unix.startQuery(unixQ, false);
      reader.readUnix(unix);
      unix.putQueryResults(out);
    }
    return out;
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
    // nothing to release: files are opened and closed per sample
  }
}
