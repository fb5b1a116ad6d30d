package dev.rainbarrel.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ListenerSampler} over {@code NETLINK_SOCK_DIAG} ({@code SOCK_DIAG_BY_FAMILY}) on every JDK
 * from 17: the socket and its buffers are a {@link NetlinkChannel} (FFM on JDK 22+, the project's
 * JNI library on 17-21), and everything else, requests and answers, is here.
 *
 * <p>TCP, in two phases of {@code inet_diag_req_v2} dumps per address family needed (IPv4 queries
 * also need IPv6, where Java's IPv4-mapped sockets live):
 *
 * <ol>
 *   <li>LISTEN only, filtered to the requested ports: the kernel walks just its listening hash;
 *   <li>ESTABLISHED only, filtered to the requested addresses, and only for a family that has a
 *       listener on a requested port: this is the walk over every connection of the host, so a
 *       Java server (IPv6 sockets) costs one such walk, not two.
 * </ol>
 *
 * Each dump carries an {@code INET_DIAG_REQ_BYTECODE} program that ORs one host condition per
 * requested address (or port), so the kernel sends back only matching sockets whatever the number
 * of addresses. When every address has the same port, the request's {@code idiag_sport} also lets
 * the kernel skip other ports before running the program. The rows are then tallied by {@link
 * TcpTally}, exactly as {@code /proc} rows are. All-listeners mode sends one unfiltered
 * LISTEN|ESTABLISHED dump per family.
 *
 * <p>Unix: one {@code unix_diag_req} dump with {@code UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN}: a
 * listener's receive queue is its accept queue and its write queue the backlog limit.
 *
 * <p>Request (TCP), built in a buffer reused by every sample:
 *
 * <pre>
 *  0                   16                                   72        76
 * +--------------------+------------------------------------+---------+--------------------+
 * | nlmsghdr           | inet_diag_req_v2                   | nlattr  | bytecode           |
 * | len type=20 flags  | family proto=6 ext pad states      | len     | per address:       |
 * | seq pid            | sockid{sport dport src dst if ck}  | type=1  | S_COND hostcond [JMP]|
 * +--------------------+------------------------------------+---------+--------------------+
 * </pre>
 *
 * Bytecode for N addresses: {@code C1 J1 C2 J2 ... CN}. Each condition {@code Ci} (4-byte op,
 * 8-byte {@code inet_diag_hostcond}, 4 or 16 address bytes) falls through to {@code Ji} on success
 * and jumps over it on failure; {@code Ji} jumps to the end (accept). A failing {@code CN} jumps
 * past the end (reject). Every jump target lies on the fall-through chain, as the kernel's verifier
 * requires.
 *
 * <p>Owns one netlink socket (close it) with a receive timeout; not thread-safe.
 */
final class NetlinkSampler implements ListenerSampler {

  // netlink
  private static final int NLMSG_HDRLEN = 16;
  private static final int NLMSG_ERROR = 2;
  private static final int NLMSG_DONE = 3;
  private static final int SOCK_DIAG_BY_FAMILY = 20;
  private static final short NLM_F_REQUEST = 0x1;
  private static final short NLM_F_DUMP = 0x300;

  // inet_diag_req_v2
  private static final int REQ_V2_LEN = 56;
  private static final int IPPROTO_TCP = 6;
  private static final int AF_UNIX = 1;
  private static final int REQ_STATES = 4;
  private static final int REQ_SPORT = 8;
  private static final int NLA_HDRLEN = 4;
  private static final int INET_DIAG_REQ_BYTECODE = 1;
  private static final int LISTEN = 1 << TcpTally.TCP_LISTEN;
  private static final int ESTABLISHED = 1 << TcpTally.TCP_ESTABLISHED;
  private static final int STATES = ESTABLISHED | LISTEN;

  // bytecode
  private static final int BC_JMP = 1;
  private static final int BC_S_COND = 7;
  private static final int BC_OP_LEN = 4;
  private static final int HOSTCOND_LEN = 8;

  // inet_diag_msg (reply)
  private static final int MSG_FAMILY = 0;
  private static final int MSG_STATE = 1;
  private static final int MSG_SPORT = 4;
  private static final int MSG_SRC = 8;
  private static final int MSG_RQUEUE = 56;
  private static final int MSG_WQUEUE = 60;
  private static final int MSG_INODE = 68;
  private static final int INET_DIAG_MSG_LEN = 72;

  // unix_diag
  private static final int UNIX_REQ_LEN = 24;
  private static final int UDIAG_SHOW_NAME = 0x1;
  private static final int UDIAG_SHOW_RQLEN = 0x10;
  private static final int UNIX_MSG_LEN = 16;
  private static final int UNIX_DIAG_NAME = 0;
  private static final int UNIX_DIAG_RQLEN = 4;

  private static final int REQUEST_CAPACITY = NetlinkChannel.REQUEST_CAPACITY;
  private static final long MAX_ROWS = 50_000_000L; // bounds one dump, whatever the kernel does
  private static final long MAX_DATAGRAMS = 10_000_000L; // bounds one dump's empty datagrams too
  private static final byte[] ZEROS = new byte[NLMSG_HDRLEN + REQ_V2_LEN];

  private final NetlinkChannel channel;
  private final ByteBuffer req;
  private final ByteBuffer rbuf;
  private boolean closed;
  private int seq;
  private long rowsLastSample; // rows the kernel sent in the last sample (tests check the filter)

  private final TcpTally tally = new TcpTally();
  private Map<Long, ListenAddress> listenSink; // set while listeningSockets() dumps
  private Map<Long, ListenAddress> unixListenSink; // set while listeningSockets() dumps Unix
  private boolean unixDiagRefused; // the kernel refused a unix_diag LISTEN dump: use /proc/net/unix

  // LISTEN rows of the latest listeningSockets() call, for sampleQueuesAfterListing right after it
  private boolean listingValid;
  private int listingRows;
  private int[] listingFamily = new int[64];
  private int[] listingPort = new int[64];
  private long[] listingRq = new long[64];
  private long[] listingWq = new long[64];
  private long[] listingInode = new long[64];
  private byte[] listingAddr = new byte[64 * 16];
  private final UnixTally unixTally = new UnixTally();
  private final List<ListenAddress> tcpQ = new ArrayList<>();
  private final List<ListenAddress> unixQ = new ArrayList<>();
  private final byte[] addr = new byte[16];
  private final byte[] name = new byte[256];

  /** Samples through {@code channel}, which it owns from now on (closed by {@link #close()}). */
  NetlinkSampler(NetlinkChannel channel) {
    this.channel = channel;
    this.req = channel.request();
    this.rbuf = channel.reply();
  }

  @Override
  public Map<String, ListenerStats> sample(List<ListenAddress> addresses) throws IOException {
    return sample(addresses, false, false);
  }

  /** Phase 1 only: LISTEN sockets on the requested ports (the listening hash, not the connections). */
  @Override
  public Map<String, ListenerStats> sampleQueues(List<ListenAddress> addresses) throws IOException {
    return sample(addresses, true, false);
  }

  /** Phase 1 from the rows of the listing taken just before, when there is one (no dump). */
  @Override
  public Map<String, ListenerStats> sampleQueuesAfterListing(List<ListenAddress> addresses)
      throws IOException {
    return sample(addresses, true, true);
  }

  private Map<String, ListenerStats> sample(
      List<ListenAddress> addresses, boolean queuesOnly, boolean fromListing) throws IOException {
    ensureOpen();
    boolean replay = fromListing && listingValid;
    listingValid = false; // a listing serves only the call right after it
    rowsLastSample = 0;
    Map<String, ListenerStats> out = new LinkedHashMap<>();
    ProcListenerSampler.split(addresses, tcpQ, unixQ, out);
    if (!tcpQ.isEmpty()) {
      tally.startQuery(tcpQ, true, !queuesOnly);
      // phase 1: listeners on the requested ports (listening hash only: cheap)
      boolean v4 = tally.wantsFamily(TcpTally.AF_INET);
      long listen4;
      long listen6;
      if (replay) {
        listen4 = v4 ? replayListing(TcpTally.AF_INET) : 0;
        listen6 = replayListing(TcpTally.AF_INET6);
      } else {
        listen4 = v4 ? dumpTcp(TcpTally.AF_INET, tcpQ, LISTEN, true) : 0;
        listen6 = dumpTcp(TcpTally.AF_INET6, tcpQ, LISTEN, true);
      }
      // phase 2: connections, walking the established hash only for families that listen there
      if (!queuesOnly && listen4 > 0) {
        dumpTcp(TcpTally.AF_INET, tcpQ, ESTABLISHED, false);
      }
      if (!queuesOnly && listen6 > 0) {
        dumpTcp(TcpTally.AF_INET6, tcpQ, ESTABLISHED, false);
      }
      tally.putQueryResults(out);
    }
    if (!unixQ.isEmpty()) {
      unixTally.startQuery(unixQ, true);
      dumpUnix();
      unixTally.putQueryResults(out);
    }
    return out;
  }

  /**
   * Feeds the listing's LISTEN rows of {@code family} on a requested port to the tally: the rows
   * phase 1's port-filtered dump of that family would have returned, and their count.
   */
  private long replayListing(int family) {
    long n = 0;
    for (int r = 0; r < listingRows; r++) {
      if (listingFamily[r] != family || !requestedPort(listingPort[r])) {
        continue;
      }
      System.arraycopy(listingAddr, r * 16, addr, 0, 16);
      tally.row(family, addr, listingPort[r], TcpTally.TCP_LISTEN, listingRq[r], listingWq[r],
          listingInode[r]);
      n++;
    }
    return n;
  }

  private boolean requestedPort(int port) {
    for (int i = 0; i < tcpQ.size(); i++) {
      if (tcpQ.get(i).port() == port) {
        return true;
      }
    }
    return false;
  }

  /** Keeps one LISTEN row of a listing (arrays grow by doubling; reused across listings). */
  private void keepListingRow(int family, int port, long rq, long wq, long inode) {
    int r = listingRows;
    if (r == listingFamily.length) {
      int n = r * 2;
      listingFamily = java.util.Arrays.copyOf(listingFamily, n);
      listingPort = java.util.Arrays.copyOf(listingPort, n);
      listingRq = java.util.Arrays.copyOf(listingRq, n);
      listingWq = java.util.Arrays.copyOf(listingWq, n);
      listingInode = java.util.Arrays.copyOf(listingInode, n);
      listingAddr = java.util.Arrays.copyOf(listingAddr, n * 16);
    }
    listingFamily[r] = family;
    listingPort[r] = port;
    listingRq[r] = rq;
    listingWq[r] = wq;
    listingInode[r] = inode;
    System.arraycopy(addr, 0, listingAddr, r * 16, 16);
    listingRows = r + 1;
  }

  @Override
  public Map<String, ListenerStats> sampleAllTcp() throws IOException {
    ensureOpen();
    listingValid = false;
    rowsLastSample = 0;
    tally.startAll(true);
    dumpTcp(TcpTally.AF_INET, null, STATES, false);
    dumpTcp(TcpTally.AF_INET6, null, STATES, false);
    return tally.allResults();
  }

  @Override
  public Map<String, ListenerStats> sampleAll() throws IOException {
    Map<String, ListenerStats> out = sampleAllTcp();
    unixTally.startAll(true);
    dumpUnix();
    unixTally.putAllResults(out);
    return out;
  }

  @Override
  public StatsSource source() {
    return StatsSource.NETLINK;
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("sampler is closed");
    }
  }

  /**
   * LISTEN sockets only: the kernel then walks just its listening hash, not the established one,
   * so this stays cheap on a host with many connections. Unix listeners come from a {@code
   * unix_diag} dump of LISTEN sockets (from {@code /proc/net/unix} if the kernel refuses it). The
   * TCP rows are kept for {@link #sampleQueuesAfterListing}.
   */
  @Override
  public Map<Long, ListenAddress> listeningSockets() throws IOException {
    ensureOpen();
    listingValid = false;
    listingRows = 0;
    Map<Long, ListenAddress> out = new java.util.LinkedHashMap<>();
    listenSink = out;
    try {
      dumpTcp(TcpTally.AF_INET, null, LISTEN, false);
      dumpTcp(TcpTally.AF_INET6, null, LISTEN, false);
    } finally {
      listenSink = null;
    }
    listingUnix(out);
    listingValid = true;
    return out;
  }

  /** Adds the host's named Unix LISTEN sockets by inode. */
  private void listingUnix(Map<Long, ListenAddress> out) throws IOException {
    if (!unixDiagRefused) {
      Map<Long, ListenAddress> unix = new java.util.LinkedHashMap<>();
      unixListenSink = unix;
      try {
        dumpUnix(LISTEN, UDIAG_SHOW_NAME);
        out.putAll(unix);
        return;
      } catch (IOException e) {
        // e.g. no unix_diag module: TCP still comes from netlink, Unix from /proc from now on
        unixDiagRefused = true;
      } finally {
        unixListenSink = null;
      }
    }
    OwnListeners.listeningUnix(new ProcNetReader(), out);
  }

  // ---------------------------------------------------------------- TCP

  /**
   * Dumps one family in the given states; {@code queries} null = everything (all-listeners mode);
   * {@code portsOnly} filters by port alone (any address). Returns the rows received.
   */
  private long dumpTcp(int family, List<ListenAddress> queries, int states, boolean portsOnly)
      throws IOException {
    int s = ++seq;
    req.put(0, ZEROS, 0, NLMSG_HDRLEN + REQ_V2_LEN);
    int r = NLMSG_HDRLEN;
    req.put(r, (byte) family);
    req.put(r + 1, (byte) IPPROTO_TCP);
    req.putInt(r + REQ_STATES, states);
    int len = NLMSG_HDRLEN + REQ_V2_LEN;
    if (queries != null) {
      int port = commonPort(queries);
      if (port > 0) {
        req.put(r + REQ_SPORT, (byte) (port >>> 8)); // id.idiag_sport, network order
        req.put(r + REQ_SPORT + 1, (byte) port);
      }
      int bcLen = writeBytecode(family, queries, len + NLA_HDRLEN, portsOnly);
      if (bcLen > 0) {
        req.putShort(len, (short) (NLA_HDRLEN + bcLen));
        req.putShort(len + 2, (short) INET_DIAG_REQ_BYTECODE);
        len += NLA_HDRLEN + bcLen;
      }
    }
    writeHeader(len, s);
    channel.send(len);
    return receive(s, true);
  }

  private static int commonPort(List<ListenAddress> queries) {
    int port = queries.get(0).port();
    for (ListenAddress q : queries) {
      if (q.port() != port) {
        return 0;
      }
    }
    return port;
  }

  /**
   * Writes the OR program for the addresses this family's dump can match; returns its length, or
   * 0 to send no filter (too many addresses for the buffer: rows are matched in Java anyway).
   */
  private int writeBytecode(
      int family, List<ListenAddress> queries, int base, boolean portsOnly) {
    int total = 0;
    int n = 0;
    for (int i = 0; i < queries.size(); i++) {
      ListenAddress q = queries.get(i);
      if (!relevant(family, q) || duplicate(queries, i, portsOnly)) {
        continue;
      }
      total += condLen(q, portsOnly) + BC_OP_LEN; // condition + jump
      n++;
    }
    if (n == 0) {
      // nothing of this family can match: a program that rejects everything
      req.put(base, (byte) BC_JMP);
      req.put(base + 1, (byte) 4);
      req.putShort(base + 2, (short) 8);
      return 4;
    }
    total -= BC_OP_LEN; // no jump after the last condition
    if (base + total > REQUEST_CAPACITY) {
      return 0;
    }
    int off = base;
    int done = 0;
    for (int i = 0; i < queries.size(); i++) {
      ListenAddress q = queries.get(i);
      if (!relevant(family, q) || duplicate(queries, i, portsOnly)) {
        continue;
      }
      int cl = condLen(q, portsOnly);
      done++;
      req.put(off, (byte) BC_S_COND);
      req.put(off + 1, (byte) cl); // yes: fall through to the jump (or the end)
      req.putShort(off + 2, (short) (cl + BC_OP_LEN)); // no: skip the jump
      byte[] a = q.rawAddress();
      if (portsOnly) { // AF_UNSPEC, prefix 0: this port, any address, any family
        req.put(off + 4, (byte) 0);
        req.put(off + 5, (byte) 0);
      } else {
        req.put(off + 4, (byte) (a.length == 4 ? TcpTally.AF_INET : TcpTally.AF_INET6));
        req.put(off + 5, (byte) (q.isWildcard() ? 0 : a.length * 8));
      }
      req.putShort(off + 6, (short) 0);
      req.putInt(off + 8, q.port());
      if (!portsOnly) {
        for (int k = 0; k < a.length; k++) {
          req.put(off + 12 + k, a[k]);
        }
      }
      off += cl;
      if (done < n) {
        int rest = base + total - (off + BC_OP_LEN);
        req.put(off, (byte) BC_JMP);
        req.put(off + 1, (byte) BC_OP_LEN);
        req.putShort(off + 2, (short) (BC_OP_LEN + rest)); // to the end: accept
        off += BC_OP_LEN;
      }
    }
    return total;
  }

  private static boolean relevant(int family, ListenAddress q) {
    // IPv4 conditions also match IPv4-mapped addresses in the IPv6 dump
    return family == TcpTally.AF_INET6 || q.kind() == ListenAddress.Kind.TCP4;
  }

  /** An earlier query already produced this condition (same address, or same port). */
  private static boolean duplicate(List<ListenAddress> queries, int i, boolean portsOnly) {
    ListenAddress q = queries.get(i);
    for (int j = 0; j < i; j++) {
      ListenAddress p = queries.get(j);
      if (portsOnly ? p.port() == q.port() : p.equals(q)) {
        return true;
      }
    }
    return false;
  }

  private static int condLen(ListenAddress q, boolean portsOnly) {
    return BC_OP_LEN + HOSTCOND_LEN + (portsOnly ? 0 : q.rawAddress().length);
  }

  // ---------------------------------------------------------------- Unix

  private void dumpUnix() throws IOException {
    dumpUnix(STATES, UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN);
  }

  private void dumpUnix(int states, int show) throws IOException {
    int s = ++seq;
    int len = NLMSG_HDRLEN + UNIX_REQ_LEN;
    req.put(0, ZEROS, 0, len);
    req.put(NLMSG_HDRLEN, (byte) AF_UNIX);
    req.putInt(NLMSG_HDRLEN + 4, states);
    req.putInt(NLMSG_HDRLEN + 12, show);
    writeHeader(len, s);
    channel.send(len);
    receive(s, false);
  }

  // ---------------------------------------------------------------- netlink I/O

  private void writeHeader(int len, int s) {
    req.putInt(0, len);
    req.putShort(4, (short) SOCK_DIAG_BY_FAMILY);
    req.putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
    req.putInt(8, s);
    req.putInt(12, 0);
  }

  /**
   * The receive timeout the kernel holds for this sampler's socket, read back with {@code
   * getsockopt(SO_RCVTIMEO)} (read reflectively by tests: proves the option is set on the real
   * descriptor, not only in {@link NetlinkChannel#RECEIVE_TIMEOUT_MS}).
   */
  long receiveTimeoutMillis() throws IOException {
    ensureOpen();
    return channel.receiveTimeoutMillis();
  }

  /** The socket this sampler talks through (tests check which transport answered). */
  NetlinkChannel channel() {
    return channel;
  }

  /** How many socket rows the kernel sent for the most recent sample (read reflectively by tests). */
  long rowsInLastSample() {
    return rowsLastSample;
  }

  private long receive(int s, boolean tcp) throws IOException {
    long rows = 0;
    for (long datagrams = 0; rows < MAX_ROWS && datagrams < MAX_DATAGRAMS; datagrams++) {
      int n = channel.receive();
      if (n == 0) {
        throw new IOException("netlink sock_diag: socket closed by the kernel");
      }
      int off = 0;
      while (off + NLMSG_HDRLEN <= n) {
        int mlen = rbuf.getInt(off);
        int type = rbuf.getShort(off + 4) & 0xffff;
        int mseq = rbuf.getInt(off + 8);
        if (mlen < NLMSG_HDRLEN || off + mlen > n) {
          throw new IOException("netlink sock_diag: malformed message length " + mlen);
        }
        if (mseq == s) {
          if (type == NLMSG_DONE) {
            int err = mlen >= NLMSG_HDRLEN + 4 ? rbuf.getInt(off + NLMSG_HDRLEN) : 0;
            rowsLastSample += rows;
            if (err < 0) {
              throw new IOException("netlink sock_diag dump failed: " + Errno.describe(-err));
            }
            return rows;
          }
          if (type == NLMSG_ERROR) {
            int err = rbuf.getInt(off + NLMSG_HDRLEN);
            throw new IOException("netlink sock_diag request refused: " + Errno.describe(-err));
          }
          if (tcp) {
            tcpRow(off + NLMSG_HDRLEN, mlen - NLMSG_HDRLEN);
          } else {
            unixRow(off + NLMSG_HDRLEN, mlen - NLMSG_HDRLEN);
          }
          rows++;
        }
        off += (mlen + 3) & ~3;
      }
    }
    throw new IOException("netlink sock_diag: no end of dump after " + rows + " rows");
  }

  private void tcpRow(int m, int len) {
    if (len < INET_DIAG_MSG_LEN) {
      return;
    }
    int family = rbuf.get(m + MSG_FAMILY) & 0xff;
    int state = rbuf.get(m + MSG_STATE) & 0xff;
    int port = ((rbuf.get(m + MSG_SPORT) & 0xff) << 8) | (rbuf.get(m + MSG_SPORT + 1) & 0xff);
    int alen = family == TcpTally.AF_INET ? 4 : 16;
    for (int i = 0; i < alen; i++) { // absolute gets: no view or slice object per row
      addr[i] = rbuf.get(m + MSG_SRC + i);
    }
    long rq = rbuf.getInt(m + MSG_RQUEUE) & 0xffffffffL;
    long wq = rbuf.getInt(m + MSG_WQUEUE) & 0xffffffffL;
    long inode = rbuf.getInt(m + MSG_INODE) & 0xffffffffL;
    if (listenSink != null) {
      if (state == TcpTally.TCP_LISTEN) {
        keepListingRow(family, port, rq, wq, inode);
        if (inode != 0) {
          listenSink.put(inode, OwnListeners.tcpAddress(family, addr, port));
        }
      }
      return;
    }
    tally.row(family, addr, port, state, rq, wq, inode);
  }

  private void unixRow(int m, int len) {
    if (len < UNIX_MSG_LEN) {
      return;
    }
    int state = rbuf.get(m + 2) & 0xff;
    long inode = rbuf.getInt(m + 4) & 0xffffffffL;
    int nameLen = 0;
    long rq = 0;
    long wq = 0;
    int a = m + UNIX_MSG_LEN;
    int end = m + len;
    while (a + NLA_HDRLEN <= end) {
      int alen = rbuf.getShort(a) & 0xffff;
      int atype = rbuf.getShort(a + 2) & 0xffff;
      if (alen < NLA_HDRLEN || a + alen > end) {
        break;
      }
      int plen = alen - NLA_HDRLEN;
      if (atype == UNIX_DIAG_NAME && plen > 0) {
        nameLen = Math.min(plen, name.length);
        for (int i = 0; i < nameLen; i++) {
          name[i] = rbuf.get(a + NLA_HDRLEN + i);
        }
        if (name[0] == 0) {
          for (int i = 0; i < nameLen; i++) {
            if (name[i] == 0) {
              name[i] = '@'; // abstract name: every byte counts; written as /proc/net/unix does
            }
          }
        } else {
          for (int i = 0; i < nameLen; i++) {
            if (name[i] == 0) {
              nameLen = i; // a path: the kernel includes its NUL terminator
              break;
            }
          }
        }
      } else if (atype == UNIX_DIAG_RQLEN && plen >= 8) {
        rq = rbuf.getInt(a + NLA_HDRLEN) & 0xffffffffL;
        wq = rbuf.getInt(a + NLA_HDRLEN + 4) & 0xffffffffL;
      }
      a += (alen + 3) & ~3;
    }
    if (unixListenSink != null) {
      if (state == TcpTally.TCP_LISTEN && nameLen > 0 && inode != 0) {
        unixListenSink.put(inode, ListenAddress.ofUnix(
            new String(name, 0, nameLen, java.nio.charset.StandardCharsets.UTF_8)));
      }
      return;
    }
    if (state == TcpTally.TCP_LISTEN) {
      unixTally.row(name, 0, nameLen, true, 0, rq, wq, inode);
    } else if (inode != 0) {
      // an accepted, connected socket; embryos (inode 0) are in the listener's rq already
      unixTally.row(name, 0, nameLen, false, UnixTally.SS_CONNECTED, 0, 0, inode);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      channel.close();
    }
  }
}
