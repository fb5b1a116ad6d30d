package dev.rainbarrel.watch;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.OwnListeners;
import dev.rainbarrel.net.StatsSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Finds this process's listeners each round without paying for a full socket table every time.
 *
 * <ul>
 *   <li>netlink (FFM on JDK 22+, the JNI library on 17-21): asks the kernel for the host's LISTEN sockets only (its listening hash:
 *       microseconds, however many connections exist); only when that set of inodes changed does
 *       it list {@code /proc/self/fd} to see which of them are ours.
 *   <li>{@code /proc}: the host's listeners cost a read of every TCP socket, so a round lists
 *       {@code /proc/self/fd} and re-reads the tables when a socket of unknown kind appeared, at
 *       most every {@link #PROC_RESCAN_NANOS}. Listing the descriptors costs a {@code readlink}
 *       each, about 1.3 µs (13 ms for a server holding 5 000 connections with both ends in the
 *       process, 1.3 % of a core at one round a second), so the next listing waits {@link
 *       #FD_SCAN_NANOS_PER_SOCKET} per socket the last one found, at most {@link
 *       #FD_SCAN_MAX_NANOS}: about 0.03 % of a core. A process with a hundred sockets is listed
 *       every 0.4 s, one with ten thousand every 40 s. The wait follows the count, not a measured
 *       price, so a first listing run cold (interpreted, or beside a busy start-up) does not delay
 *       the next. In between, each of our listeners' own descriptors is checked (one {@code
 *       readlink} each) and a listing made at once if one was closed, so a closed listener still
 *       vanishes at once; a new one is found at the next listing.
 * </ul>
 *
 * Left out: the JVM's attach listener (the Unix socket {@code .java_pid<pid>} that {@code jcmd},
 * JConsole's local connection and {@code attach} create on first use), and TCP listeners on the
 * ignored ports (the agent's own endpoints): neither is the application's queue.
 */
final class ListenerDiscovery {

  /** File-name prefix of HotSpot's attach listener socket ({@code .java_pid<pid>}, bound as {@code .tmp} first). */
  static final String ATTACH_SOCKET_PREFIX = ".java_pid";

  /** Least time between two full {@code /proc/net} scans. */
  static final long PROC_RESCAN_NANOS = 5_000_000_000L;

  /**
   * Wait before the next {@code /proc/self/fd} listing, per socket the last listing found: about
   * 3 000 times what listing one costs (0.03 % of a core).
   */
  static final long FD_SCAN_NANOS_PER_SOCKET = 4_000_000L;

  /** Longest time between two {@code /proc/self/fd} listings. */
  static final long FD_SCAN_MAX_NANOS = 60_000_000_000L;

  private final ListenerSampler sampler;
  private final LongSupplier nanoTime;
  private final Set<Integer> ignoredPorts;
  private Set<Long> hostListenInodes; // netlink: the set at the last fd scan
  private Map<Long, ListenAddress> own = new LinkedHashMap<>(); // our listeners by inode
  private Set<Long> knownSockets = new HashSet<>(); // /proc: inodes classified at the last scan
  private Map<Long, Integer> ownDescriptors = new HashMap<>(); // /proc: our listeners' fds
  private long lastProcScan;
  private long nextFdScan; // /proc: no descriptor listing before this time
  private long fdScans;
  private boolean scanned;
  private long fullScans;

  ListenerDiscovery(ListenerSampler sampler, LongSupplier nanoTime, Set<Integer> ignoredPorts) {
    this.sampler = sampler;
    this.nanoTime = nanoTime;
    this.ignoredPorts = ignoredPorts;
  }

  /** Whether {@code a} is a listener of this process that is not the application's. */
  boolean ignored(ListenAddress a) {
    if (a.isTcp()) {
      return ignoredPorts.contains(a.port());
    }
    String path = a.path();
    int slash = path.lastIndexOf('/');
    return path.startsWith(ATTACH_SOCKET_PREFIX, slash + 1);
  }

  List<ListenAddress> discover() throws IOException {
    if (sampler.source() == StatsSource.PROC) {
      return discoverProc();
    }
    Map<Long, ListenAddress> host = sampler.listeningSockets();
    if (sampler.source() == StatsSource.PROC) { // netlink gave up during the call
      hostListenInodes = null;
      return fromScan(host, OwnListeners.socketInodes());
    }
    if (!host.keySet().equals(hostListenInodes)) {
      hostListenInodes = new HashSet<>(host.keySet());
      return fromScan(host, OwnListeners.socketInodes());
    }
    return new ArrayList<>(own.values());
  }

  private List<ListenAddress> discoverProc() throws IOException {
    long start = nanoTime.getAsLong();
    if (scanned && start - nextFdScan < 0 && ownDescriptorsStillOpen()) {
      return addresses(own);
    }
    Map<Long, Integer> descriptors = OwnListeners.socketDescriptors();
    fdScans++;
    nextFdScan = start + listingWait(descriptors.size());
    Set<Long> fds = descriptors.keySet();
    ownDescriptors = descriptors;
    own.keySet().retainAll(fds); // closed listeners go at once
    boolean unknown = !scanned;
    if (!unknown) {
      for (Long inode : fds) {
        if (!knownSockets.contains(inode)) {
          unknown = true;
          break;
        }
      }
    }
    long now = nanoTime.getAsLong();
    if (unknown && (!scanned || now - lastProcScan >= PROC_RESCAN_NANOS)) {
      lastProcScan = now;
      return fromScan(sampler.listeningSockets(), fds);
    }
    knownSockets.retainAll(fds);
    return addresses(own);
  }

  /** How long the next {@code /proc/self/fd} listing waits after one that found {@code sockets}. */
  static long listingWait(int sockets) {
    return Math.min(FD_SCAN_MAX_NANOS, sockets * FD_SCAN_NANOS_PER_SOCKET);
  }

  /**
   * Between listings: whether each of our listeners is still open at the descriptor the last
   * listing found it at (one {@code readlink} each). If one is not, the caller lists at once, so
   * a closed listener goes at once (and one still open under another, {@code dup}-ed, descriptor
   * stays).
   */
  private boolean ownDescriptorsStillOpen() {
    for (Long inode : own.keySet()) {
      Integer fd = ownDescriptors.get(inode);
      if (fd == null || !OwnListeners.isSocket(fd, inode)) {
        return false;
      }
    }
    return true;
  }

  private List<ListenAddress> fromScan(Map<Long, ListenAddress> host, Set<Long> fds) {
    scanned = true;
    fullScans++;
    Map<Long, ListenAddress> mine = new LinkedHashMap<>();
    for (Map.Entry<Long, ListenAddress> e : host.entrySet()) {
      if (fds.contains(e.getKey()) && !ignored(e.getValue())) {
        mine.put(e.getKey(), e.getValue());
      }
    }
    own = mine;
    knownSockets = new HashSet<>(fds);
    return addresses(mine);
  }

  private static List<ListenAddress> addresses(Map<Long, ListenAddress> byInode) {
    List<ListenAddress> out = new ArrayList<>();
    for (ListenAddress a : byInode.values()) {
      if (!out.contains(a)) {
        out.add(a); // SO_REUSEPORT: several inodes, one address
      }
    }
    return out;
  }

  /** Full scans so far (tests). */
  long fullScans() {
    return fullScans;
  }

  /** {@code /proc/self/fd} listings so far on {@code /proc} (tests). */
  long fdScans() {
    return fdScans;
  }
}
