package dev.rainbarrel.net;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Streams {@code /proc/net/tcp}, {@code /proc/net/tcp6} and {@code /proc/net/unix} through a fixed
 * buffer into a {@link TcpTally} / {@link UnixTally}, one line at a time, without allocating per
 * line.
 *
 * <p>TCP lines ({@code net/ipv4/tcp_ipv4.c}, {@code get_tcp4_sock}):
 *
 * <pre>
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
 *    0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 7925 ...
 * </pre>
 *
 * Addresses are the {@code __be32} words printed as host-order hex (so 127.0.0.1 reads 0100007F on
 * a little-endian host); for a LISTEN row rx_queue is the accept queue and tx_queue is 0 (the
 * backlog limit is not in this file). Unix lines:
 *
 * <pre>
 * Num       RefCount Protocol Flags    Type St Inode Path
 * 000000006acbd2f5: 00000002 00000000 00010000 0001 01  7932 /tmp/app.sock
 * </pre>
 *
 * Flags {@code 00010000} ({@code __SO_ACCEPTCON}) marks a listener. Not thread-safe.
 */
final class ProcNetReader {

  static final String PROC_TCP = "/proc/net/tcp";
  static final String PROC_TCP6 = "/proc/net/tcp6";
  static final String PROC_UNIX = "/proc/net/unix";

  private static final int SO_ACCEPTCON = 0x10000;
  private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private final String root; // "" normally; a directory prefix in tests of the parser
  private final Opener opener;
  private final byte[] buf = new byte[64 * 1024];
  private final byte[] addr = new byte[16];
  private int pos; // parse cursor within the current line
  /** Bytes up to the last LISTEN row at the latest listening read, per family (0: none yet). */
  private int listenBytes4;
  private int listenBytes6;
  private long reads; // read() calls so far (tests)

  ProcNetReader() {
    this("");
  }

  ProcNetReader(String root) {
    this(root, FileInputStream::new);
  }

  ProcNetReader(String root, Opener opener) {
    this.root = root;
    this.opener = opener;
  }

  /** Opens a file for reading (a seam for tests that script what {@code read} returns). */
  interface Opener {
    InputStream open(String file) throws IOException;
  }

  /** Feeds every row of {@code /proc/net/tcp} (AF_INET) or {@code tcp6} (AF_INET6). */
  void readTcp(int family, TcpRowSink tally) throws IOException {
    readTcp(family, tally, false);
  }

  /**
   * Feeds the LISTEN rows of {@code /proc/net/tcp} or {@code tcp6} and stops at the first row that
   * is neither LISTEN nor SYN_RECV. The kernel prints its listening hash before its established
   * hash ({@code tcp_seq_start}: {@code listening_get_first}, then {@code established_get_first}),
   * and generates the file lazily as it is read, so stopping early costs in proportion to the
   * host's listeners, not its connections. SYN_RECV rows are skipped rather than taken as the end
   * because kernels before 4.4 printed each listener's pending requests right after it.
   *
   * <p>Reads are sized so the kernel prints little beyond the listeners: to fill a read it must
   * find the next connection of the family, searching its established hash bucket by bucket
   * (262 144 buckets on a machine with a few GiB of RAM, ~2 ns each), so every connection row
   * asked for beyond the first costs a search. The first read asks for the bytes the listening
   * section took last time plus {@value #ROW_CHUNK}; later reads {@value #ROW_CHUNK} bytes,
   * doubling up to {@value #LISTEN_CHUNK}.
   */
  void readTcpListening(int family, TcpRowSink tally) throws IOException {
    readTcp(family, tally, true);
  }

  /** Largest read in {@link #readTcpListening}: about 27 rows of tcp. */
  static final int LISTEN_CHUNK = 4096;

  /** About one row of {@code tcp} (150 bytes, padded) or {@code tcp6} (~180 bytes). */
  static final int ROW_CHUNK = 192;

  /**
   * The least a {@code seq_file} buffer holds (one page), and a bound on the length of one row of
   * these files (the longest tcp6 row, all fields at their widest, is under 300 bytes). {@code
   * seq_read} fills the caller's buffer until the next row is missing or does not fit in its own
   * buffer, so a read that returns fewer bytes than asked, no more than {@code SEQ_BUFFER_MIN -
   * MAX_ROW} and ending with a whole row, has reached the end of the file: the reader stops there
   * instead of reading again to be told so. That second read is not free: the kernel finds no
   * saved position at the end and walks both hashes from the start (~0.5 ms on this machine
   * whatever the host's load), which was half the cost of a {@code /proc} round on a quiet host.
   */
  static final int SEQ_BUFFER_MIN = 4096;

  static final int MAX_ROW = 512;

  private static final int TCP_SYN_RECV = 3;

  private void readTcp(int family, TcpRowSink tally, boolean listenOnly) throws IOException {
    String file = root + (family == TcpTally.AF_INET ? PROC_TCP : PROC_TCP6);
    InputStream in;
    try {
      in = opener.open(file);
    } catch (java.io.FileNotFoundException e) {
      if (family == TcpTally.AF_INET6 && !java.nio.file.Files.exists(Path.of(file))) {
        return; // kernel without IPv6
      }
      throw new NoSuchFileException(file, null, e.getMessage());
    }
    try (in) {
      int len = 0;
      int consumed = 0; // bytes of the file before buf[0]
      int listenEnd = 0; // file offset after the last LISTEN row seen
      boolean header = true;
      int chunk = ROW_CHUNK;
      int want = listenOnly ? lastListenBytes(family) + ROW_CHUNK : 0;
      while (true) {
        if (!listenOnly) {
          want = buf.length - len;
        }
        want = Math.min(want, buf.length - len);
        int r = in.read(buf, len, want);
        reads++;
        if (r < 0) {
          if (len > 0 && !header) {
            tcpLine(family, 0, len, tally, listenOnly);
          }
          break;
        }
        len += r;
        int start = 0;
        int longest = 0;
        for (int i = 0; i < len; i++) {
          if (buf[i] == '\n') {
            longest = Math.max(longest, i + 1 - start);
            if (header) {
              header = false;
              listenEnd = consumed + i + 1;
            } else if (!tcpLine(family, start, i, tally, listenOnly)) {
              setLastListenBytes(family, listenEnd);
              return; // listening section over
            } else {
              listenEnd = consumed + i + 1;
            }
            start = i + 1;
          }
        }
        if (start == 0 && len == buf.length) {
          throw new IOException(file + ": line longer than " + buf.length + " bytes");
        }
        if (r < want && r <= SEQ_BUFFER_MIN - MAX_ROW && start == len && longest < MAX_ROW) {
          break; // a short read ending with a whole row: the end of the file
        }
        System.arraycopy(buf, start, buf, 0, len - start);
        consumed += start;
        len -= start;
        if (listenOnly) {
          want = chunk;
          chunk = Math.min(chunk * 2, LISTEN_CHUNK);
        }
      }
      if (listenOnly) {
        setLastListenBytes(family, listenEnd);
      }
    }
  }

  private int lastListenBytes(int family) {
    return family == TcpTally.AF_INET ? listenBytes4 : listenBytes6;
  }

  private void setLastListenBytes(int family, int bytes) {
    int capped = Math.min(bytes, LISTEN_CHUNK);
    if (family == TcpTally.AF_INET) {
      listenBytes4 = capped;
    } else {
      listenBytes6 = capped;
    }
  }

  /** {@code read} calls made so far (tests). */
  long reads() {
    return reads;
  }

  /** Parses one row; false when {@code listenOnly} and the row shows the listening section ended. */
  private boolean tcpLine(int family, int start, int end, TcpRowSink tally, boolean listenOnly)
      throws IOException {
    pos = start;
    skipSpaces(end);
    skipToken(end); // "sl:"
    skipSpaces(end);
    int words = family == TcpTally.AF_INET ? 1 : 4;
    for (int w = 0; w < words; w++) {
      long v = hex(8, end);
      int o = w * 4;
      if (LITTLE) {
        addr[o] = (byte) v;
        addr[o + 1] = (byte) (v >>> 8);
        addr[o + 2] = (byte) (v >>> 16);
        addr[o + 3] = (byte) (v >>> 24);
      } else {
        addr[o] = (byte) (v >>> 24);
        addr[o + 1] = (byte) (v >>> 16);
        addr[o + 2] = (byte) (v >>> 8);
        addr[o + 3] = (byte) v;
      }
    }
    expect(':', end);
    int port = (int) hex(4, end);
    skipSpaces(end);
    skipToken(end); // remote address
    skipSpaces(end);
    int state = (int) hex(2, end);
    if (listenOnly && state != TcpTally.TCP_LISTEN) {
      return state == TCP_SYN_RECV;
    }
    skipSpaces(end);
    long tx = hex(8, end);
    expect(':', end);
    long rx = hex(8, end);
    skipSpaces(end);
    skipToken(end); // tr:tm->when
    skipSpaces(end);
    skipToken(end); // retrnsmt
    skipSpaces(end);
    skipToken(end); // uid
    skipSpaces(end);
    skipToken(end); // timeout
    skipSpaces(end);
    long inode = decimal(end);
    tally.row(family, addr, port, state, rx, tx, inode);
    return true;
  }

  /** Feeds every row of {@code /proc/net/unix}. */
  void readUnix(UnixRowSink tally) throws IOException {
    String file = root + PROC_UNIX;
    try (InputStream in = new FileInputStream(file)) {
      int len = 0;
      boolean header = true;
      while (true) {
        int r = in.read(buf, len, buf.length - len);
        if (r < 0) {
          if (len > 0 && !header) {
            unixLine(0, len, tally);
          }
          return;
        }
        len += r;
        int start = 0;
        for (int i = 0; i < len; i++) {
          if (buf[i] == '\n') {
            if (header) {
              header = false;
            } else {
              unixLine(start, i, tally);
            }
            start = i + 1;
          }
        }
        if (start == 0 && len == buf.length) {
          throw new IOException(file + ": line longer than " + buf.length + " bytes");
        }
        System.arraycopy(buf, start, buf, 0, len - start);
        len -= start;
      }
    }
  }

  private void unixLine(int start, int end, UnixRowSink tally) throws IOException {
    pos = start;
    skipSpaces(end);
    skipToken(end); // Num:
    skipSpaces(end);
    skipToken(end); // RefCount
    skipSpaces(end);
    skipToken(end); // Protocol
    skipSpaces(end);
    long flags = hex(8, end);
    skipSpaces(end);
    skipToken(end); // Type
    skipSpaces(end);
    int st = (int) hex(2, end);
    skipSpaces(end);
    long inode = decimal(end);
    int pathStart = pos < end && buf[pos] == ' ' ? pos + 1 : pos;
    int pathLen = Math.max(0, end - pathStart);
    boolean listening = (flags & SO_ACCEPTCON) != 0;
    tally.row(buf, pathStart, pathLen, listening, st, 0, 0, inode);
  }

  /** Receives TCP rows. {@code addr} is scratch: bytes 0-3 (AF_INET) or 0-15 (AF_INET6). */
  interface TcpRowSink {
    void row(int family, byte[] addr, int port, int state, long rqueue, long wqueue, long inode);
  }

  /** Receives Unix rows; the name is {@code buf[off, off+len)}, empty when unbound. */
  interface UnixRowSink {
    void row(
        byte[] buf, int off, int len, boolean listening, int state, long rq, long wq, long inode);
  }

  // ---- tiny tokenizer over buf[pos, end) ----

  private void skipSpaces(int end) {
    while (pos < end && buf[pos] == ' ') {
      pos++;
    }
  }

  private void skipToken(int end) {
    while (pos < end && buf[pos] != ' ') {
      pos++;
    }
  }

  private void expect(char c, int end) throws IOException {
    if (pos >= end || buf[pos] != c) {
      throw malformed();
    }
    pos++;
  }

  /** Value of each hex digit byte, -1 for every other byte (cheaper than {@code Character.digit}). */
  private static final byte[] HEX = new byte[256];

  static {
    java.util.Arrays.fill(HEX, (byte) -1);
    for (int i = 0; i < 10; i++) {
      HEX['0' + i] = (byte) i;
    }
    for (int i = 0; i < 6; i++) {
      HEX['a' + i] = (byte) (10 + i);
      HEX['A' + i] = (byte) (10 + i);
    }
  }

  private long hex(int max, int end) throws IOException {
    long v = 0;
    int n = 0;
    while (pos < end && n < max) {
      int d = HEX[buf[pos] & 0xff];
      if (d < 0) {
        break;
      }
      v = (v << 4) | d;
      pos++;
      n++;
    }
    if (n == 0) {
      throw malformed();
    }
    return v;
  }

  private long decimal(int end) throws IOException {
    long v = 0;
    int n = 0;
    while (pos < end && buf[pos] >= '0' && buf[pos] <= '9') {
      v = v * 10 + (buf[pos] - '0');
      pos++;
      n++;
    }
    if (n == 0) {
      throw malformed();
    }
    return v;
  }

  private IOException malformed() {
    return new IOException("unexpected line format in /proc/net (at byte " + pos + ")");
  }
}
