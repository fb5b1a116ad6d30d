package dev.rainbarrel.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of Linux {@code struct tcp_info} ({@code getsockopt(IPPROTO_TCP, TCP_INFO)}), holding
 * only the fields the running kernel filled in (the length it returned decides).
 *
 * <p>Layout ({@code include/uapi/linux/tcp.h}, native byte order; times in µs unless noted, {@code
 * last_*} in ms):
 *
 * <pre>
 *  0      1         2           3      4       5       6                 7
 * +------+---------+-----------+------+-------+-------+-----------------+-------------------+
 * |state |ca_state |retransmits|probes|backoff|options|snd/rcv_wscale 4:4|app_limited 1, ... |
 * +------+---------+-----------+------+-------+-------+-----------------+-------------------+
 *  8 rto  12 ato  16 snd_mss  20 rcv_mss  24 unacked  28 sacked  32 lost  36 retrans
 *  40 fackets  44 last_data_sent  48 last_ack_sent  52 last_data_recv  56 last_ack_recv
 *  60 pmtu  64 rcv_ssthresh  68 rtt  72 rttvar  76 snd_ssthresh  80 snd_cwnd  84 advmss
 *  88 reordering  92 rcv_rtt  96 rcv_space  100 total_retrans          (all u32; raindrops' 32)
 *  104 pacing_rate  112 max_pacing_rate  120 bytes_acked  128 bytes_received      (u64)
 *  136 segs_out  140 segs_in  144 notsent_bytes  148 min_rtt  152 data_segs_in
 *  156 data_segs_out                                                             (u32)
 *  160 delivery_rate  168 busy_time  176 rwnd_limited  184 sndbuf_limited        (u64)
 *  192 delivered  196 delivered_ce  (u32)  200 bytes_sent  208 bytes_retrans     (u64)
 *  216 dsack_dups  220 reord_seen  224 rcv_ooopack  228 snd_wnd  232 rcv_wnd  236 rehash (u32)
 *  240 total_rto  242 total_rto_recoveries (u16)  244 total_rto_time  248 received_ce (u32)
 * </pre>
 *
 * On a LISTEN socket the kernel reports the accept queue in {@code unacked} and the backlog limit in
 * {@code sacked}.
 *
 * <p>Reading it needs JDK 22+ (FFM API); on older JDKs the factory methods throw {@link
 * UnsupportedOperationException}. Channels and sockets are matched to their descriptor by local and
 * peer address among this process's descriptors (no {@code --add-opens} needed); a listener is
 * matched by its local address.
 */
public final class TcpInfo {

  private static final int U8 = 1;
  private static final int U16 = 2;
  private static final int U32 = 4;
  private static final int U64 = 8;
  /** Bit fields in byte 6 and 7: size encodes (byte, shift, width). */
  private static final int BITS = -1;

  private static final List<Field> FIELDS = new ArrayList<>();

  static {
    f("state", 0, U8);
    f("ca_state", 1, U8);
    f("retransmits", 2, U8);
    f("probes", 3, U8);
    f("backoff", 4, U8);
    f("options", 5, U8);
    bits("snd_wscale", 6, 0, 4);
    bits("rcv_wscale", 6, 4, 4);
    bits("delivery_rate_app_limited", 7, 0, 1);
    bits("fastopen_client_fail", 7, 1, 2);
    String[] u32a = {
      "rto", "ato", "snd_mss", "rcv_mss", "unacked", "sacked", "lost", "retrans", "fackets",
      "last_data_sent", "last_ack_sent", "last_data_recv", "last_ack_recv", "pmtu", "rcv_ssthresh",
      "rtt", "rttvar", "snd_ssthresh", "snd_cwnd", "advmss", "reordering", "rcv_rtt", "rcv_space",
      "total_retrans"
    };
    int off = 8;
    for (String n : u32a) {
      f(n, off, U32);
      off += U32;
    }
    // fields after raindrops' 32, added by later kernels
    f("pacing_rate", 104, U64);
    f("max_pacing_rate", 112, U64);
    f("bytes_acked", 120, U64);
    f("bytes_received", 128, U64);
    f("segs_out", 136, U32);
    f("segs_in", 140, U32);
    f("notsent_bytes", 144, U32);
    f("min_rtt", 148, U32);
    f("data_segs_in", 152, U32);
    f("data_segs_out", 156, U32);
    f("delivery_rate", 160, U64);
    f("busy_time", 168, U64);
    f("rwnd_limited", 176, U64);
    f("sndbuf_limited", 184, U64);
    f("delivered", 192, U32);
    f("delivered_ce", 196, U32);
    f("bytes_sent", 200, U64);
    f("bytes_retrans", 208, U64);
    f("dsack_dups", 216, U32);
    f("reord_seen", 220, U32);
    f("rcv_ooopack", 224, U32);
    f("snd_wnd", 228, U32);
    f("rcv_wnd", 232, U32);
    f("rehash", 236, U32);
    f("total_rto", 240, U16);
    f("total_rto_recoveries", 242, U16);
    f("total_rto_time", 244, U32);
    f("received_ce", 248, U32);
  }

  /** Kernel TCP states ({@code include/net/tcp_states.h}), index = value of {@code state}. */
  private static final String[] STATES = {
    "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
    "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"
  };

  private static void f(String name, int offset, int size) {
    FIELDS.add(new Field(name, offset, size, 0, 0));
  }

  private static void bits(String name, int offset, int shift, int width) {
    FIELDS.add(new Field(name, offset, BITS, shift, width));
  }

  private static final class Field {
    final String name;
    final int offset;
    final int size;
    final int shift;
    final int width;

    Field(String name, int offset, int size, int shift, int width) {
      this.name = name;
      this.offset = offset;
      this.size = size;
      this.shift = shift;
      this.width = width;
    }

    int end() {
      return offset + (size == BITS ? 1 : size);
    }
  }

  private final Map<String, Long> values;
  private final int length;

  private TcpInfo(Map<String, Long> values, int length) {
    this.values = values;
    this.length = length;
  }

  /** Decodes the bytes {@code getsockopt} returned (their length decides which fields exist). */
  public static TcpInfo fromBytes(byte[] raw) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
    Map<String, Long> m = new LinkedHashMap<>();
    for (Field f : FIELDS) {
      if (f.end() > raw.length) {
        continue;
      }
      long v;
      switch (f.size) {
        case U8:
          v = b.get(f.offset) & 0xffL;
          break;
        case U16:
          v = b.getShort(f.offset) & 0xffffL;
          break;
        case U32:
          v = b.getInt(f.offset) & 0xffffffffL;
          break;
        case U64:
          v = b.getLong(f.offset);
          break;
        default:
          v = ((b.get(f.offset) & 0xff) >>> f.shift) & ((1 << f.width) - 1);
      }
      m.put(f.name, v);
    }
    return new TcpInfo(Collections.unmodifiableMap(m), raw.length);
  }

  /** TCP_INFO of a connected channel. */
  public static TcpInfo of(SocketChannel channel) throws IOException {
    return lookup(channel.getLocalAddress(), channel.getRemoteAddress(), "SocketChannel");
  }

  /** TCP_INFO of a listening channel: {@code unacked} = accept queue, {@code sacked} = backlog. */
  public static TcpInfo of(ServerSocketChannel channel) throws IOException {
    return lookup(channel.getLocalAddress(), null, "ServerSocketChannel");
  }

  /** TCP_INFO of a connected socket. */
  public static TcpInfo of(Socket socket) throws IOException {
    if (socket.isClosed() || !socket.isConnected()) {
      throw new IOException("socket is closed or not connected: " + socket);
    }
    return lookup(socket.getLocalSocketAddress(), socket.getRemoteSocketAddress(), "Socket");
  }

  /** TCP_INFO of a bound server socket. */
  public static TcpInfo of(ServerSocket socket) throws IOException {
    if (socket.isClosed() || !socket.isBound()) {
      throw new IOException("server socket is closed or not bound: " + socket);
    }
    return lookup(socket.getLocalSocketAddress(), null, "ServerSocket");
  }

  /** TCP_INFO of a raw file descriptor of this process. */
  public static TcpInfo ofFd(int fd) throws IOException {
    if (fd < 0) {
      throw new IllegalArgumentException("file descriptor " + fd + " is negative");
    }
    return fromBytes(NativeNet.sockets().tcpInfo(fd));
  }

  private static TcpInfo lookup(SocketAddress local, SocketAddress remote, String what)
      throws IOException {
    NativeSockets ns = NativeNet.sockets();
    if (!(local instanceof InetSocketAddress)) {
      throw new IOException(what + " is not bound to an inet address: " + local);
    }
    InetSocketAddress r = null;
    if (remote != null) {
      if (!(remote instanceof InetSocketAddress)) {
        throw new IOException(what + " is not connected to an inet address: " + remote);
      }
      r = (InetSocketAddress) remote;
    }
    int fd = ns.findFd((InetSocketAddress) local, r);
    if (fd < 0) {
      throw new IOException("no descriptor of this process matches the " + what + " " + local
          + (r == null ? " (listening)" : " -> " + r));
    }
    return fromBytes(ns.tcpInfo(fd));
  }

  /**
   * Links the native path now (JDK 22+): loads the FFM helper and makes one {@code getsockopt}
   * on a descriptor that cannot exist, whose {@code EBADF} is expected. The first real call,
   * often on a server's first accepted connection, then costs microseconds instead of the
   * hundreds of milliseconds that loading and linking the FFM downcall takes in a fresh JVM.
   *
   * @throws UnsupportedOperationException if this JVM has no native path (JDK before 22, no
   *     native access)
   */
  public static void warmUp() {
    try {
      NativeNet.sockets().tcpInfo(Integer.MAX_VALUE);
    } catch (IOException expected) {
      // EBADF: the call went all the way to the kernel, so everything on the way is linked
    }
  }

  /**
   * Why this JVM cannot read {@code TCP_INFO} (e.g. "JDK 22+ is needed"), or null when it can try:
   * unlike netlink, which JDK 17-21 reach through the project's JNI library, it needs the FFM API.
   */
  public static String unavailableReason() {
    return NativeNet.ffmUnavailableReason();
  }

  /** Field names this class knows, in layout order (the kernel may return fewer). */
  public static List<String> knownFields() {
    List<String> names = new ArrayList<>();
    for (Field f : FIELDS) {
      names.add(f.name);
    }
    return names;
  }

  /** Whether the kernel returned this field. */
  public boolean has(String field) {
    return values.containsKey(field);
  }

  /**
   * The value of a field, unsigned.
   *
   * @throws IllegalArgumentException if the field is unknown or the kernel did not return it
   */
  public long get(String field) {
    Long v = values.get(field);
    if (v == null) {
      if (!knownFields().contains(field)) {
        throw new IllegalArgumentException("unknown tcp_info field \"" + field + "\"");
      }
      throw new IllegalArgumentException(
          "tcp_info field \"" + field + "\" is beyond the " + length + " bytes the kernel returned");
    }
    return v;
  }

  /** Every returned field, in layout order. */
  public Map<String, Long> asMap() {
    return values;
  }

  /** How many bytes the kernel returned. */
  public int length() {
    return length;
  }

  /** {@code tcpi_state} (1 ESTABLISHED, 10 LISTEN, ...). */
  public int state() {
    return (int) get("state");
  }

  /** The state's name ({@code ESTABLISHED}, {@code LISTEN}, {@code CLOSE_WAIT}...). */
  public String stateName() {
    int s = state();
    return s > 0 && s < STATES.length ? STATES[s] : "UNKNOWN(" + s + ")";
  }

  /** Unacknowledged segments; on a listener, the accept queue length. */
  public long unacked() {
    return get("unacked");
  }

  /** SACKed segments; on a listener, the backlog limit. */
  public long sacked() {
    return get("sacked");
  }

  /** Milliseconds since data was last received. */
  public long lastDataRecv() {
    return get("last_data_recv");
  }

  /** Smoothed round-trip time in µs. */
  public long rtt() {
    return get("rtt");
  }

  @Override
  public String toString() {
    return "TcpInfo" + values;
  }
}
