package dev.rainbarrel.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * TCP socket rows of one address family from the kernel's {@code NETLINK_SOCK_DIAG} ({@code
 * inet_diag}) through {@link SockDiagJni}, filtered in the kernel by local port: what the {@code
 * /proc} sampler asks for instead of having the kernel print every connection of the host into
 * {@code /proc/net/tcp*} (JDK 17-21; on 22+ {@code NetlinkSampler22} does all of the sampling).
 * Owns one netlink socket; not thread-safe; allocation-free per dump.
 *
 * <p>The request, one datagram ({@code struct nlmsghdr}, {@code struct inet_diag_req_v2}, then
 * an {@code INET_DIAG_REQ_BYTECODE} attribute), in the host's byte order but for the ports:
 *
 * <pre>
 * off  size  field
 * 0    4     nlmsg_len
 * 4    2     nlmsg_type = SOCK_DIAG_BY_FAMILY (20)
 * 6    2     nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP
 * 8    4     nlmsg_seq (answers carry it back)
 * 12   4     nlmsg_pid = 0
 * 16   1     sdiag_family (AF_INET, AF_INET6)
 * 17   1     sdiag_protocol = IPPROTO_TCP
 * 18   2     idiag_ext = 0, pad
 * 20   4     idiag_states (bit per TCP state)
 * 24   2     id.idiag_sport, big-endian: set when every port asked for is the same one (the
 *            kernel then skips other sockets before running the program)
 * 26   46    rest of the socket id, zero
 * 72   4     nlattr: length, type INET_DIAG_REQ_BYTECODE (1)
 * 76   ..    program: per port an S_COND operation (4 bytes: code 7, yes, no) and its host
 *            condition (8 bytes: family AF_UNSPEC, prefix 0, pad, int port: any address), then
 *            a JMP to the end (accept) after all but the last; a socket that matches no
 *            condition jumps past the end (reject)
 * </pre>
 *
 * Each answer row is a {@code struct inet_diag_msg} (family at 0, state at 1, the local port
 * big-endian at 4, the local address at 8, {@code idiag_rqueue} at 56, {@code idiag_wqueue} at 60,
 * {@code idiag_inode} at 68), fed to a {@link ProcNetReader.TcpRowSink} exactly as a {@code
 * /proc} row is.
 */
final class SockDiagDump implements AutoCloseable {

  /** As NetlinkSampler22's: a dump that takes longer is answered from the files. */
  static final int RECEIVE_TIMEOUT_MS = 2000;

  private static final int NLMSG_HDRLEN = 16;
  private static final int REQ_V2_LEN = 56;
  private static final int NLA_HDRLEN = 4;
  private static final int BC_OP_LEN = 4;
  private static final int HOSTCOND_LEN = 8;
  private static final int COND_LEN = BC_OP_LEN + HOSTCOND_LEN;
  private static final int NLMSG_ERROR = 2;
  private static final int NLMSG_DONE = 3;
  private static final int SOCK_DIAG_BY_FAMILY = 20;
  private static final int NLM_F_REQUEST = 1;
  private static final int NLM_F_DUMP = 0x300;
  private static final int IPPROTO_TCP = 6;
  private static final int INET_DIAG_REQ_BYTECODE = 1;
  private static final int BC_JMP = 1;
  private static final int BC_S_COND = 7;
  private static final int DIAG_MSG_LEN = 72;

  /** Ports one request can filter on; more are filtered in Java (the rows are matched there anyway). */
  static final int MAX_PORTS = 64;

  private static final int REQUEST_CAPACITY =
      NLMSG_HDRLEN + REQ_V2_LEN + NLA_HDRLEN + MAX_PORTS * (COND_LEN + BC_OP_LEN);

  /** Datagrams one dump may take (32 KiB each: gigabytes of rows, more than any host has). */
  private static final long MAX_DATAGRAMS = 100_000;

  /** Larger than any datagram of a dump (the kernel fills at most 32 KiB per read). */
  private static final int RECEIVE_CAPACITY = 64 * 1024;

  private final ByteBuffer request =
      ByteBuffer.allocateDirect(REQUEST_CAPACITY).order(ByteOrder.nativeOrder());
  private final ByteBuffer receive =
      ByteBuffer.allocateDirect(RECEIVE_CAPACITY).order(ByteOrder.nativeOrder());
  private final byte[] addr = new byte[16];
  private int fd;
  private int seq;
  private long rows; // tests

  private SockDiagDump(int fd) {
    this.fd = fd;
  }

  /**
   * Opens the netlink socket.
   *
   * @throws IOException if the library is not loaded ({@link SockDiagJni#unavailableReason()}) or
   *     the kernel refuses the socket (seccomp, some containers)
   */
  static SockDiagDump open() throws IOException {
    String why = SockDiagJni.unavailableReason();
    if (why != null) {
      throw new IOException("netlink through JNI is unavailable: " + why);
    }
    int fd = SockDiagJni.open0(RECEIVE_TIMEOUT_MS);
    if (fd < 0) {
      throw error("socket(AF_NETLINK, NETLINK_SOCK_DIAG)", fd);
    }
    return new SockDiagDump(fd);
  }

  /**
   * Feeds {@code sink} the sockets of {@code family} in {@code states} (a bit per TCP state) whose
   * local port is one of {@code ports[0, count)} (more than {@link #MAX_PORTS}: every port, the
   * sink matches).
   *
   * @return the rows received
   * @throws IOException if the kernel answers with an error, or not within {@link
   *     #RECEIVE_TIMEOUT_MS}
   */
  long dump(int family, int states, int[] ports, int count, ProcNetReader.TcpRowSink sink)
      throws IOException {
    if (fd < 0) {
      throw new IOException("netlink socket closed");
    }
    int s = ++seq;
    int len = writeRequest(family, states, ports, count, s);
    int sent = SockDiagJni.send0(fd, request, len);
    if (sent != len) {
      throw sent < 0 ? error("sendto(netlink sock_diag)", sent)
          : new IOException("sendto(netlink sock_diag) sent " + sent + " of " + len + " bytes");
    }
    long n = 0;
    for (long datagrams = 0; datagrams < MAX_DATAGRAMS; datagrams++) {
      int got = SockDiagJni.recv0(fd, receive, RECEIVE_CAPACITY);
      if (got < 0) {
        throw error("recv(netlink sock_diag)", got);
      }
      for (int m = 0; m + NLMSG_HDRLEN <= got; ) {
        int mlen = receive.getInt(m);
        int type = receive.getShort(m + 4) & 0xFFFF;
        if (mlen < NLMSG_HDRLEN || m + mlen > got) {
          throw new IOException("netlink sock_diag: malformed message of " + mlen + " bytes");
        }
        if (receive.getInt(m + 8) == s) { // a late answer to an earlier, timed-out dump is skipped
          if (type == NLMSG_DONE) {
            rows = n;
            return n;
          }
          if (type == NLMSG_ERROR) {
            int errno = mlen >= NLMSG_HDRLEN + 4 ? receive.getInt(m + NLMSG_HDRLEN) : 0;
            throw error("netlink sock_diag request", errno < 0 ? errno : -errno);
          }
          if (type == SOCK_DIAG_BY_FAMILY && mlen >= NLMSG_HDRLEN + DIAG_MSG_LEN) {
            row(m + NLMSG_HDRLEN, sink);
            n++;
          }
        }
        m += (mlen + 3) & ~3;
      }
    }
    throw new IOException("netlink sock_diag: no end of dump after " + MAX_DATAGRAMS + " datagrams");
  }

  private void row(int p, ProcNetReader.TcpRowSink sink) {
    int family = receive.get(p) & 0xFF;
    int state = receive.get(p + 1) & 0xFF;
    int port = ((receive.get(p + 4) & 0xFF) << 8) | (receive.get(p + 5) & 0xFF);
    for (int k = 0; k < 16; k++) {
      addr[k] = receive.get(p + 8 + k);
    }
    long rq = receive.getInt(p + 56) & 0xFFFFFFFFL;
    long wq = receive.getInt(p + 60) & 0xFFFFFFFFL;
    long inode = receive.getInt(p + 68) & 0xFFFFFFFFL;
    sink.row(family, addr, port, state, rq, wq, inode);
  }

  private int writeRequest(int family, int states, int[] ports, int count, int s) {
    ByteBuffer r = request;
    for (int i = 0; i < NLMSG_HDRLEN + REQ_V2_LEN; i++) {
      r.put(i, (byte) 0);
    }
    int q = NLMSG_HDRLEN;
    r.put(q, (byte) family);
    r.put(q + 1, (byte) IPPROTO_TCP);
    r.putInt(q + 4, states);
    int len = NLMSG_HDRLEN + REQ_V2_LEN;
    if (count > 0 && count <= MAX_PORTS) {
      boolean same = true;
      for (int i = 1; i < count; i++) {
        same &= ports[i] == ports[0];
      }
      if (same) {
        r.put(q + 8, (byte) (ports[0] >>> 8)); // id.idiag_sport, network order
        r.put(q + 9, (byte) ports[0]);
      }
      int bc = writeProgram(len + NLA_HDRLEN, ports, count);
      r.putShort(len, (short) (NLA_HDRLEN + bc));
      r.putShort(len + 2, (short) INET_DIAG_REQ_BYTECODE);
      len += NLA_HDRLEN + bc;
    }
    r.putInt(0, len);
    r.putShort(4, (short) SOCK_DIAG_BY_FAMILY);
    r.putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
    r.putInt(8, s);
    r.putInt(12, 0);
    return len;
  }

  /** The OR of "local port is P" over the distinct ports (see the class comment); its length. */
  private int writeProgram(int base, int[] ports, int count) {
    int distinct = 0;
    for (int i = 0; i < count; i++) {
      if (firstOf(ports, i)) {
        distinct++;
      }
    }
    int total = distinct * (COND_LEN + BC_OP_LEN) - BC_OP_LEN; // no jump after the last condition
    int off = base;
    int done = 0;
    for (int i = 0; i < count; i++) {
      if (!firstOf(ports, i)) {
        continue;
      }
      done++;
      request.put(off, (byte) BC_S_COND);
      request.put(off + 1, (byte) COND_LEN); // yes: on to the jump (or, for the last, the end)
      request.putShort(off + 2, (short) (COND_LEN + BC_OP_LEN)); // no: past the jump
      request.put(off + 4, (byte) 0); // AF_UNSPEC, prefix 0: any address, this port
      request.put(off + 5, (byte) 0);
      request.putShort(off + 6, (short) 0);
      request.putInt(off + 8, ports[i]);
      off += COND_LEN;
      if (done < distinct) {
        int rest = base + total - (off + BC_OP_LEN);
        request.put(off, (byte) BC_JMP);
        request.put(off + 1, (byte) BC_OP_LEN);
        request.putShort(off + 2, (short) (BC_OP_LEN + rest)); // to the end: accept
        off += BC_OP_LEN;
      }
    }
    return total;
  }

  private static boolean firstOf(int[] ports, int i) {
    for (int j = 0; j < i; j++) {
      if (ports[j] == ports[i]) {
        return false;
      }
    }
    return true;
  }

  /** Rows of the latest completed dump (tests). */
  long rowsInLastDump() {
    return rows;
  }

  /** {@code SO_RCVTIMEO} of the socket as the kernel holds it, in ms (tests). */
  long receiveTimeoutMillis() throws IOException {
    long t = SockDiagJni.receiveTimeout0(fd);
    if (t < 0) {
      throw error("getsockopt(SO_RCVTIMEO)", (int) t);
    }
    return t;
  }

  private static IOException error(String what, int negErrno) {
    int e = -negErrno;
    String name = e == 1 ? "EPERM" : e == 11 ? "EAGAIN (no answer within " + RECEIVE_TIMEOUT_MS + " ms)"
        : e == 13 ? "EACCES" : e == 22 ? "EINVAL" : e == 93 ? "EPROTONOSUPPORT" : e == 97 ? "EAFNOSUPPORT"
        : "errno " + e;
    return new IOException(what + " failed: " + name);
  }

  @Override
  public void close() {
    int f = fd;
    if (f >= 0) {
      fd = -1;
      SockDiagJni.close0(f);
    }
  }
}
