package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The netlink sampler, through the JNI library on JDK 17 and FFM on 25: the same sequences as
 * {@link ProcSamplerTest}.
 */
class NetlinkSamplerTest extends ListenerSamplerContract {

  @Override
  ListenerSampler openSampler() {
    ListenerSampler s = ListenerSampler.open();
    if (s.source() != StatsSource.NETLINK) {
      throw new AssertionError("expected netlink, got /proc: " + s.fallbackReason());
    }
    return s;
  }

  @Override
  StatsSource expectedSource() {
    return StatsSource.NETLINK;
  }

  /**
   * The sampler owns exactly one NETLINK_SOCK_DIAG socket, seen as a descriptor of this process
   * while it is open, and {@link ListenerSampler#close} releases it: after 50 open/sample/close
   * rounds this process holds the same sock_diag sockets as before (the contract's own sampler,
   * opened before each test, is among them).
   */
  @Test
  void closeReleasesTheNetlinkSocket() throws Exception {
    Set<Long> before = ownSockDiagSockets();
    Set<Long> during;
    try (ListenerSampler s = openSampler()) {
      s.sample("127.0.0.1:1");
      during = ownSockDiagSockets();
    }
    Set<Long> mine = new HashSet<>(during);
    mine.removeAll(before);
    assertEquals(1, mine.size(), "one sock_diag socket while open: " + before + " -> " + during);
    assertEquals(before, ownSockDiagSockets(), "released on close");
    for (int i = 0; i < 50; i++) {
      try (ListenerSampler s = openSampler()) {
        s.sample("127.0.0.1:1");
      }
    }
    assertEquals(before, ownSockDiagSockets(), "50 rounds leave nothing behind");
  }

  /**
   * The socket has a receive timeout, so a kernel that never answers cannot hang the watcher:
   * {@code getsockopt(SO_RCVTIMEO)} on the sampler's own descriptor reads back 2 s.
   */
  @Test
  void theSocketHasAReceiveTimeout() throws Exception {
    try (ListenerSampler s = openSampler()) {
      ListenerSampler netlink = ((FallbackSampler) s).primary();
      Method m = netlink.getClass().getDeclaredMethod("receiveTimeoutMillis");
      assertEquals(2000L, (long) m.invoke(netlink), "SO_RCVTIMEO of the netlink socket, ms");
    }
  }

  /** Inodes of the NETLINK_SOCK_DIAG (protocol 4) sockets among this process's descriptors. */
  private static Set<Long> ownSockDiagSockets() throws IOException {
    Set<Long> diag = new HashSet<>();
    List<String> lines = Files.readAllLines(Path.of("/proc/net/netlink"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 10 && f[1].equals("4")) {
        diag.add(Long.parseLong(f[f.length - 1]));
      }
    }
    Set<Long> own = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException closedMeanwhile) {
          continue;
        }
        if (target.startsWith("socket:[")) {
          long inode = Long.parseLong(target.substring(8, target.length() - 1));
          if (diag.contains(inode)) {
            own.add(inode);
          }
        }
      }
    }
    return own;
  }
}
