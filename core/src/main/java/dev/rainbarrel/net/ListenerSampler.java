package dev.rainbarrel.net;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Samples listen-queue numbers ({@code active}, {@code queued}, {@code backlog}) of TCP and Unix
 * listeners, like raindrops' {@code Raindrops::Linux.tcp_listener_stats} and {@code
 * unix_listener_stats}.
 *
 * <pre>{@code
 * try (ListenerSampler sampler = ListenerSampler.open()) {
 *   Map<String, ListenerStats> m = sampler.sample(ListenAddress.parse("0.0.0.0:8080"));
 *   Map<String, ListenerStats> all = sampler.sampleAll();
 * }
 * }</pre>
 *
 * <p>{@link #open()} uses netlink ({@code NETLINK_SOCK_DIAG}): through the FFM API on JDK 22+,
 * through the project's small JNI library on JDK 17-21. It falls back to parsing {@code /proc/net}
 * when neither can be used (native access denied, no library for this platform, {@code
 * -Drainbarrel.sockdiag.jni=false}) or when the kernel refuses netlink (seccomp, some containers);
 * {@link #source()} tells which one answered.
 *
 * <p>A sampler owns resources (a netlink socket, reusable buffers): close it. It is <b>not</b>
 * thread-safe: give each thread its own, or guard it.
 */
public interface ListenerSampler extends AutoCloseable {

  /**
   * Numbers for each requested address, keyed by the address as written ({@link
   * ListenAddress#toString()}); every requested address is present, with 0/0/0 when nothing
   * listens there. A Unix path that is a symlink also appears under its resolved path.
   */
  Map<String, ListenerStats> sample(List<ListenAddress> addresses) throws IOException;

  /**
   * As {@link #sample(List)}, but looks at listening sockets only: {@code queued}, {@code backlog}
   * and {@code listeners} are exact, while {@code active} of a TCP address is {@link
   * ListenerStats#UNKNOWN} (Unix addresses are sampled in full). Counting {@code active} makes the
   * kernel walk every connection of the host; this walks only its listening hash (netlink: a
   * LISTEN-only dump; {@code /proc}: the listening section at the head of {@code /proc/net/tcp*}),
   * so it costs in proportion to the host's listeners, however many connections exist.
   */
  default Map<String, ListenerStats> sampleQueues(List<ListenAddress> addresses)
      throws IOException {
    return sample(addresses);
  }

  /**
   * As {@link #sampleQueues}, answered where possible from the LISTEN rows of the {@link
   * #listeningSockets()} call made just before it on this sampler (the watcher's discovery takes
   * that listing every round): netlink keeps those rows and tallies the TCP addresses from them
   * instead of asking the kernel again, which saves a pair of LISTEN dumps per round; the numbers
   * are the same as those of the listing. A listing serves only the call right after it: when any
   * other call came between, or the listing failed, or the sampler keeps no rows ({@code
   * /proc}), this is {@link #sampleQueues}.
   */
  default Map<String, ListenerStats> sampleQueuesAfterListing(List<ListenAddress> addresses)
      throws IOException {
    return sampleQueues(addresses);
  }

  /** Parses the addresses (see {@link ListenAddress#parse}) and samples them. */
  default Map<String, ListenerStats> sample(String... addresses) throws IOException {
    List<ListenAddress> list = new ArrayList<>(addresses.length);
    for (String a : addresses) {
      list.add(ListenAddress.parse(a));
    }
    return sample(list);
  }

  /** Samples one address. */
  default ListenerStats sample(ListenAddress address) throws IOException {
    return sample(List.of(address)).get(address.toString());
  }

  /**
   * Every TCP listener on the host, keyed {@code ip:port} or {@code [ip6]:port} (IPv4-mapped IPv6
   * listeners, which Java creates for IPv4 addresses, are keyed as IPv4).
   */
  Map<String, ListenerStats> sampleAllTcp() throws IOException;

  /** Every TCP listener (as {@link #sampleAllTcp()}) followed by every Unix listener by path. */
  Map<String, ListenerStats> sampleAll() throws IOException;

  /**
   * Every listening socket on the host (TCP in canonical form, IPv4-mapped as IPv4; Unix by path)
   * keyed by socket inode: what {@link OwnListeners} matches against this process's descriptors.
   * Netlink asks the kernel for LISTEN sockets only ({@code inet_diag} and {@code unix_diag}), which
   * walks just the listening hash (cheap however many connections the host has); {@code /proc}
   * reads only the listening section at the head of {@code /proc/net/tcp*}, and {@code
   * /proc/net/unix}.
   */
  default Map<Long, ListenAddress> listeningSockets() throws IOException {
    return OwnListeners.listeningSockets(new ProcNetReader(), true);
  }

  /** The source that answered the most recent sample (before any sample: the preferred one). */
  StatsSource source();

  /** Why the preferred source (netlink) is not answering, or null when it is (or was never tried). */
  default String fallbackReason() {
    return null;
  }

  /**
   * Null when netlink goes through the project's JNI library (JDK 17-21); otherwise why it does
   * not ("not needed on JDK 22+", no library for this platform, turned off, refused by the kernel).
   */
  default String jniUnavailableReason() {
    return SockDiagJni.unavailableReason();
  }

  /** Closes the netlink socket, if any. Idempotent. */
  @Override
  void close();

  /** The best sampler for this JVM: netlink when it can be used (see above), else {@code /proc}. */
  static ListenerSampler open() {
    return NativeNet.openSampler();
  }

  /** A sampler that always parses {@code /proc/net}. */
  static ListenerSampler openProc() {
    return new ProcListenerSampler();
  }

  /**
   * Why {@link #open()} would not use netlink here (e.g. no JNI library for this platform on JDK
   * 17-21, native access denied on 22+), or null when it can.
   */
  static String netlinkUnavailableReason() {
    return NativeNet.unavailableReason();
  }

  /**
   * Why netlink would not go through the JNI library here (see {@link #jniUnavailableReason()}),
   * or null when it would.
   */
  static String jniReason() {
    return SockDiagJni.unavailableReason();
  }
}
