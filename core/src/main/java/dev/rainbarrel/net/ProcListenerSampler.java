package dev.rainbarrel.net;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ListenerSampler} over {@code /proc/net/tcp}, {@code /proc/net/tcp6} and {@code
 * /proc/net/unix}. Works on every JDK; the files do not carry the backlog limit, so {@code
 * backlog} is {@link ListenerStats#UNKNOWN} for addresses that have a listener.
 */
final class ProcListenerSampler implements ListenerSampler {

  private final ProcNetReader reader;
  private final TcpTally tcp = new TcpTally();
  private final UnixTally unix = new UnixTally();
  private final List<ListenAddress> tcpQ = new ArrayList<>();
  private final List<ListenAddress> unixQ = new ArrayList<>();

  ProcListenerSampler() {
    this(new ProcNetReader());
  }

  ProcListenerSampler(ProcNetReader reader) {
    this.reader = reader;
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
      if (tcp.wantsFamily(TcpTally.AF_INET)) {
        readTcp(TcpTally.AF_INET, queuesOnly);
      }
      readTcp(TcpTally.AF_INET6, queuesOnly);
      tcp.putQueryResults(out);
    }
    if (!unixQ.isEmpty()) {
      unix.startQuery(unixQ, false);
      reader.readUnix(unix);
      unix.putQueryResults(out);
    }
    return out;
  }

  private void readTcp(int family, boolean listeningOnly) throws IOException {
    if (listeningOnly) {
      reader.readTcpListening(family, tcp);
    } else {
      reader.readTcp(family, tcp);
    }
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
    reader.readTcp(TcpTally.AF_INET, tcp);
    reader.readTcp(TcpTally.AF_INET6, tcp);
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
