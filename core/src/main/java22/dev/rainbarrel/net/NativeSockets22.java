package dev.rainbarrel.net;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code getsockopt(TCP_INFO)} and descriptor lookup through the FFM API (JDK 22+).
 *
 * <p>A Java channel does not reveal its descriptor without {@code --add-opens java.base/sun.nio.ch},
 * which a library inside someone else's server cannot assume. Instead the descriptor is found by
 * what the kernel says about it: every descriptor listed in {@code /proc/self/fd} is asked for its
 * {@code getsockname}/{@code getpeername} (non-sockets fail with {@code ENOTSOCK}), and the one
 * whose local and peer addresses equal the channel's is used; a listener (no peer) must also report
 * {@code SO_ACCEPTCONN}. The cost grows with the number of open descriptors. Stateless and
 * thread-safe: each call uses its own confined arena.
 *
 * <pre>
 * sockaddr_in:  0 family(u16) | 2 port(be16) | 4 addr(4)  | 8 zero(8)
 * sockaddr_in6: 0 family(u16) | 2 port(be16) | 4 flowinfo | 8 addr(16) | 24 scope_id
 * </pre>
 */
final class NativeSockets22 implements NativeSockets {

  private static final int SOCKADDR_CAP = 128;
  private static final int TCP_INFO_CAP = 512;
  private static final ValueLayout.OfShort BE_SHORT =
      JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN).withByteAlignment(1);

  NativeSockets22() {
    // linking getsockopt now makes a denied native access fail here, not on first use
    if (Libc22.Getsockopt.CALL == null) {
      throw new IllegalStateException("libc bindings missing");
    }
  }

  @Override
  public int findFd(InetSocketAddress local, InetSocketAddress remote) throws IOException {
    byte[] wantLocal = normalise(local.getAddress().getAddress());
    byte[] wantRemote = remote == null ? null : normalise(remote.getAddress().getAddress());
    try (Arena arena = Arena.ofConfined();
        DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      MemorySegment errno = Libc22.newErrnoSegment(arena);
      MemorySegment sa = arena.allocate(SOCKADDR_CAP, 8);
      MemorySegment len = arena.allocate(JAVA_INT);
      MemorySegment opt = arena.allocate(JAVA_INT);
      for (Path p : fds) {
        int fd;
        try {
          fd = Integer.parseInt(p.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        if (!nameMatches(Libc22.Getsockname.CALL, errno, fd, sa, len, wantLocal, local.getPort())) {
          continue;
        }
        if (remote != null) {
          if (nameMatches(Libc22.Getpeername.CALL, errno, fd, sa, len, wantRemote, remote.getPort())) {
            return fd;
          }
        } else if (intOption(errno, fd, Libc22.SOL_SOCKET, Libc22.SO_ACCEPTCONN, opt, len) == 1) {
          return fd;
        }
      }
    }
    return -1;
  }

  private static boolean nameMatches(
      java.lang.invoke.MethodHandle call,
      MemorySegment errno,
      int fd,
      MemorySegment sa,
      MemorySegment len,
      byte[] want,
      int port) {
    len.set(JAVA_INT, 0, SOCKADDR_CAP);
    int rc;
    try {
      rc = (int) call.invokeExact(errno, fd, sa, len);
    } catch (Throwable t) {
      return false;
    }
    if (rc != 0) {
      return false;
    }
    int family = sa.get(JAVA_SHORT, 0);
    int p = sa.get(BE_SHORT, 2) & 0xffff;
    if (p != port) {
      return false;
    }
    byte[] got;
    if (family == Libc22.AF_INET) {
      got = new byte[4];
      MemorySegment.copy(sa, JAVA_BYTE, 4, got, 0, 4);
    } else if (family == Libc22.AF_INET6) {
      got = new byte[16];
      MemorySegment.copy(sa, JAVA_BYTE, 8, got, 0, 16);
      got = normalise(got);
    } else {
      return false;
    }
    return Arrays.equals(got, want) || (isZero(got) && isZero(want));
  }

  /** IPv4-mapped IPv6 reads as IPv4, as Java reports it. */
  private static byte[] normalise(byte[] a) {
    return a.length == 16 && TcpTally.isV4Mapped(a) ? Arrays.copyOfRange(a, 12, 16) : a;
  }

  private static boolean isZero(byte[] a) {
    for (byte b : a) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static int intOption(
      MemorySegment errno, int fd, int level, int name, MemorySegment opt, MemorySegment len) {
    len.set(JAVA_INT, 0, 4);
    try {
      int rc = (int) Libc22.Getsockopt.CALL.invokeExact(errno, fd, level, name, opt, len);
      return rc == 0 ? opt.get(JAVA_INT, 0) : -1;
    } catch (Throwable t) {
      return -1;
    }
  }

  @Override
  public void setIntOption(int fd, int level, int name, int value) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = Libc22.newErrnoSegment(arena);
      MemorySegment opt = arena.allocate(JAVA_INT);
      opt.set(JAVA_INT, 0, value);
      int rc;
      try {
        rc = (int) Libc22.Setsockopt.CALL.invokeExact(errno, fd, level, name, opt, 4);
      } catch (Throwable t) {
        throw new IOException("setsockopt(fd " + fd + ", " + level + ", " + name + ") failed", t);
      }
      if (rc != 0) {
        throw Libc22.error("setsockopt(fd " + fd + ", " + level + ", " + name + ")", errno);
      }
    }
  }

  @Override
  public byte[] tcpInfo(int fd) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = Libc22.newErrnoSegment(arena);
      MemorySegment buf = arena.allocate(TCP_INFO_CAP, 8);
      MemorySegment len = arena.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, TCP_INFO_CAP);
      int rc;
      try {
        rc =
            (int)
                Libc22.Getsockopt.CALL.invokeExact(
                    errno, fd, Libc22.IPPROTO_TCP, Libc22.TCP_INFO, buf, len);
      } catch (Throwable t) {
        throw new IOException("getsockopt(TCP_INFO) on fd " + fd + " failed", t);
      }
      if (rc != 0) {
        IOException e = Libc22.error("getsockopt(fd " + fd + ", TCP_INFO)", errno);
        throw e;
      }
      int n = Math.min(len.get(JAVA_INT, 0), TCP_INFO_CAP);
      byte[] out = new byte[n];
      MemorySegment.copy(buf, JAVA_BYTE, 0, out, 0, n);
      return out;
    }
  }
}
