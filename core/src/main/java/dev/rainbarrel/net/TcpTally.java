package dev.rainbarrel.net;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns TCP socket rows (from netlink or from {@code /proc}) into per-listener numbers with
 * raindrops' rules. Both sources feed the very same rows through this class, so they cannot
 * disagree on semantics.
 *
 * <p>Rules, per row (local address, local port, state, receive/send queue, inode):
 *
 * <ul>
 *   <li>a row whose inode is 0 is skipped (a connection still in the accept queue);
 *   <li>LISTEN: {@code queued += rqueue}, {@code backlog += wqueue}, {@code listeners++};
 *   <li>ESTABLISHED: {@code active++}, counted only while some socket of the row's family listens
 *       on the port (any address). raindrops also counts connections that outlived their
 *       listener or were made from a bound port; dropping those lets netlink skip walking the
 *       established hash of a family that has no listener on the requested ports.
 * </ul>
 *
 * <p>Query mode matches a row to a requested address as the kernel's {@code INET_DIAG_BC_S_COND}
 * does: same port; same family and same address, or any address when the request is a wildcard;
 * an IPv4 request also matches an IPv6 row whose address is IPv4-mapped ({@code ::ffff:a.b.c.d}).
 * All-listeners mode keys each listener by its address and gives an ESTABLISHED row to the
 * listener on its exact address, else to the wildcard listener of its family on the same port
 * (it relies on the kernel reporting listeners before connections, which both sources do).
 *
 * <p>Not thread-safe; reused across samples so a sample allocates nothing per row.
 */
final class TcpTally implements ProcNetReader.TcpRowSink {

  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int TCP_ESTABLISHED = 1;
  static final int TCP_LISTEN = 10;

  // ---- query mode ----
  private ListenAddress[] queries = new ListenAddress[0];
  private int queryCount;
  private long[] active4 = new long[0]; // ESTABLISHED rows from AF_INET
  private long[] active6 = new long[0]; // ESTABLISHED rows from AF_INET6
  private boolean[] listen4 = new boolean[0]; // some AF_INET socket listens on the query's port
  private boolean[] listen6 = new boolean[0];
  private long[] queued = new long[0];
  private long[] backlog = new long[0];
  private int[] listeners = new int[0];

  // ---- all-listeners mode: entries chained by port ----
  private boolean allMode;
  private final int[] headByPort = new int[65536];
  private int entryCount;
  private int[] entryFamily = new int[16];
  private byte[][] entryAddr = new byte[16][];
  private int[] entryPort = new int[16];
  private int[] entryNext = new int[16];
  private long[] entryActive = new long[16];
  private long[] entryQueued = new long[16];
  private long[] entryBacklog = new long[16];
  private int[] entryListeners = new int[16];

  private boolean backlogKnown;
  private boolean activeKnown = true;

  TcpTally() {
    Arrays.fill(headByPort, -1);
  }

  /** Starts a query-mode sample for these TCP addresses (Unix ones must be filtered out). */
  void startQuery(List<ListenAddress> tcp, boolean backlogKnown) {
    startQuery(tcp, backlogKnown, true);
  }

  /**
   * As {@link #startQuery(List, boolean)}; {@code activeKnown} false when only LISTEN rows will be
   * fed (a queue-only sample), so results report {@code active} as {@link ListenerStats#UNKNOWN}.
   */
  void startQuery(List<ListenAddress> tcp, boolean backlogKnown, boolean activeKnown) {
    clearEntries();
    allMode = false;
    this.backlogKnown = backlogKnown;
    this.activeKnown = activeKnown;
    int n = tcp.size();
    if (queries.length < n) {
      queries = new ListenAddress[n];
      active4 = new long[n];
      active6 = new long[n];
      listen4 = new boolean[n];
      listen6 = new boolean[n];
      queued = new long[n];
      backlog = new long[n];
      listeners = new int[n];
    }
    for (int i = 0; i < n; i++) {
      queries[i] = tcp.get(i);
      active4[i] = 0;
      active6[i] = 0;
      listen4[i] = false;
      listen6[i] = false;
      queued[i] = 0;
      backlog[i] = 0;
      listeners[i] = 0;
    }
    queryCount = n;
  }

  /** Starts an all-listeners sample. */
  void startAll(boolean backlogKnown) {
    clearEntries();
    allMode = true;
    this.backlogKnown = backlogKnown;
    queryCount = 0;
  }

  private void clearEntries() {
    for (int i = 0; i < entryCount; i++) {
      headByPort[entryPort[i]] = -1;
      entryAddr[i] = null;
    }
    entryCount = 0;
  }

  /** True if some query address wants rows of this family. */
  boolean wantsFamily(int family) {
    if (allMode) {
      return true;
    }
    for (int i = 0; i < queryCount; i++) {
      // IPv6 rows matter to IPv4 queries too: Java binds IPv4 addresses on IPv4-mapped IPv6 sockets
      if (family == AF_INET6 || queries[i].kind() == ListenAddress.Kind.TCP4) {
        return true;
      }
    }
    return false;
  }

  /** Query mode: every IPv4 query has at least one listener among the rows fed so far. */
  boolean everyIpv4QueryListened() {
    for (int i = 0; i < queryCount; i++) {
      if (queries[i].kind() == ListenAddress.Kind.TCP4 && listeners[i] == 0) {
        return false;
      }
    }
    return true;
  }

  /** Query mode: the port of some IPv4 query is set in {@code ports}. */
  boolean someIpv4QueryPortIn(java.util.BitSet ports) {
    for (int i = 0; i < queryCount; i++) {
      if (queries[i].kind() == ListenAddress.Kind.TCP4 && ports.get(queries[i].port())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Feeds one socket row. {@code addr} holds the local address in network order: bytes 0-3 for
   * AF_INET, 0-15 for AF_INET6 (the array is the caller's scratch buffer and is not retained).
   */
  @Override
  public void row(
      int family, byte[] addr, int port, int state, long rqueue, long wqueue, long inode) {
    if (inode == 0) {
      return; // not yet accept()-ed: counted by its listener's rqueue instead
    }
    if (state != TCP_LISTEN && state != TCP_ESTABLISHED) {
      return;
    }
    if (allMode) {
      rowAll(family, addr, port, state, rqueue, wqueue);
      return;
    }
    for (int i = 0; i < queryCount; i++) {
      ListenAddress q = queries[i];
      if (state == TCP_LISTEN && q.port() == port) {
        if (family == AF_INET) {
          listen4[i] = true;
        } else {
          listen6[i] = true;
        }
      }
      if (matches(q, family, addr, port)) {
        if (state == TCP_LISTEN) {
          queued[i] += rqueue;
          backlog[i] += wqueue;
          listeners[i]++;
        } else if (family == AF_INET) {
          active4[i]++;
        } else {
          active6[i]++;
        }
      }
    }
  }

  /** The kernel's S_COND host condition, with prefix length 0 for wildcards and full otherwise. */
  static boolean matches(ListenAddress q, int family, byte[] addr, int port) {
    if (q.port() != port) {
      return false;
    }
    byte[] qa = q.rawAddress();
    boolean any = q.isWildcard();
    int qf = q.kind() == ListenAddress.Kind.TCP4 ? AF_INET : AF_INET6;
    if (family == qf) {
      return any || Arrays.equals(addr, 0, qa.length, qa, 0, qa.length);
    }
    if (family == AF_INET6 && qf == AF_INET && isV4Mapped(addr)) {
      return any || Arrays.equals(addr, 12, 16, qa, 0, 4);
    }
    return false;
  }

  static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  private void rowAll(int family, byte[] addr, int port, int state, long rqueue, long wqueue) {
    int len = family == AF_INET ? 4 : 16;
    if (state == TCP_LISTEN) {
      int e = find(family, addr, len, port);
      if (e < 0) {
        e = add(family, addr, len, port);
      }
      entryQueued[e] += rqueue;
      entryBacklog[e] += wqueue;
      entryListeners[e]++;
      return;
    }
    int e = find(family, addr, len, port);
    if (e < 0) {
      e = findWildcard(family, len, port);
    }
    if (e >= 0) {
      entryActive[e]++;
    }
  }

  private int find(int family, byte[] addr, int len, int port) {
    for (int e = headByPort[port]; e >= 0; e = entryNext[e]) {
      if (entryFamily[e] == family && Arrays.equals(entryAddr[e], 0, len, addr, 0, len)) {
        return e;
      }
    }
    return -1;
  }

  private int findWildcard(int family, int len, int port) {
    outer:
    for (int e = headByPort[port]; e >= 0; e = entryNext[e]) {
      if (entryFamily[e] != family) {
        continue;
      }
      byte[] a = entryAddr[e];
      for (int i = 0; i < len; i++) {
        if (a[i] != 0) {
          continue outer;
        }
      }
      return e;
    }
    return -1;
  }

  private int add(int family, byte[] addr, int len, int port) {
    if (entryCount == entryFamily.length) {
      int n = entryCount * 2;
      entryFamily = Arrays.copyOf(entryFamily, n);
      entryAddr = Arrays.copyOf(entryAddr, n);
      entryPort = Arrays.copyOf(entryPort, n);
      entryNext = Arrays.copyOf(entryNext, n);
      entryActive = Arrays.copyOf(entryActive, n);
      entryQueued = Arrays.copyOf(entryQueued, n);
      entryBacklog = Arrays.copyOf(entryBacklog, n);
      entryListeners = Arrays.copyOf(entryListeners, n);
    }
    int e = entryCount++;
    entryFamily[e] = family;
    entryAddr[e] = Arrays.copyOf(addr, len);
    entryPort[e] = port;
    entryActive[e] = 0;
    entryQueued[e] = 0;
    entryBacklog[e] = 0;
    entryListeners[e] = 0;
    entryNext[e] = headByPort[port];
    headByPort[port] = e;
    return e;
  }

  /** Query mode: every requested address (keyed as given), 0/0/0 when nothing listens. */
  void putQueryResults(Map<String, ListenerStats> out) {
    for (int i = 0; i < queryCount; i++) {
      long b = backlogKnown ? backlog[i] : ListenerStats.UNKNOWN;
      if (!backlogKnown && listeners[i] == 0) {
        b = 0;
      }
      // connections count while their family has a listener on the port (see class comment)
      long active = !activeKnown ? ListenerStats.UNKNOWN
          : (listen4[i] ? active4[i] : 0) + (listen6[i] ? active6[i] : 0);
      out.put(queries[i].toString(), new ListenerStats(active, queued[i], b, listeners[i]));
    }
  }

  /** All-listeners mode: one key per listening address; IPv4-mapped IPv6 addresses read as IPv4. */
  Map<String, ListenerStats> allResults() {
    Map<String, ListenerStats> out = new LinkedHashMap<>();
    for (int e = 0; e < entryCount; e++) {
      String key = keyOf(entryFamily[e], entryAddr[e], entryPort[e]);
      long b = backlogKnown ? entryBacklog[e] : ListenerStats.UNKNOWN;
      ListenerStats s = new ListenerStats(entryActive[e], entryQueued[e], b, entryListeners[e]);
      out.merge(key, s, TcpTally::sum);
    }
    return out;
  }

  static ListenerStats sum(ListenerStats a, ListenerStats b) {
    long bl =
        a.backlog() < 0 || b.backlog() < 0 ? ListenerStats.UNKNOWN : a.backlog() + b.backlog();
    return new ListenerStats(
        a.active() + b.active(), a.queued() + b.queued(), bl, a.listeners() + b.listeners());
  }

  /** {@code a.b.c.d:port} or {@code [v6]:port}; IPv4-mapped IPv6 shown as IPv4. */
  static String keyOf(int family, byte[] addr, int port) {
    if (family == AF_INET) {
      return ListenAddress.formatV4(addr, 0) + ":" + port;
    }
    if (isV4Mapped(addr)) {
      return ListenAddress.formatV4(addr, 12) + ":" + port;
    }
    return "[" + ListenAddress.formatV6(addr, 0) + "]:" + port;
  }
}
