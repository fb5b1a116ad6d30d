package dev.rainbarrel.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * The few libc calls the JDK 22+ socket code needs, bound once through the FFM linker, each
 * capturing {@code errno}. The first binding is a restricted operation: without {@code
 * --enable-native-access} JDK 24+ warns once, and denies it under {@code
 * --illegal-native-access=deny} (callers then fall back to {@code /proc}).
 */
@SuppressWarnings("restricted") // native access is the point; callers handle its denial
final class Libc22 {

  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int AF_NETLINK = 16;
  static final int SOCK_RAW = 3;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int NETLINK_SOCK_DIAG = 4;
  static final int SOL_SOCKET = 1;
  static final int SO_RCVTIMEO = 20;
  static final int SO_ACCEPTCONN = 30;
  static final int IPPROTO_TCP = 6;
  static final int TCP_INFO = 11;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final long ERRNO_OFFSET =
      CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

  // One holder class per call: the JDK spins a class for every downcall it links, so each caller
  // links only the calls it uses when it first uses them. accept_wait, which links beside the
  // host's start-up, needs getsockopt alone (linking all nine there cost the host ~100 ms).

  /** {@code int socket(int domain, int type, int protocol)}. */
  static final class Socket {
    static final MethodHandle CALL = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  }

  /** {@code int close(int fd)}. */
  static final class Close {
    static final MethodHandle CALL = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  }

  /** {@code ssize_t sendto(int fd, const void *buf, size_t len, int flags, const sockaddr *to, socklen_t tolen)}. */
  static final class Sendto {
    static final MethodHandle CALL = bind("sendto",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  }

  /** {@code ssize_t recv(int fd, void *buf, size_t len, int flags)}, capturing errno. */
  static final class Recv {
    static final MethodHandle CALL = bind("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  }

  /**
   * {@code recv} without errno capture: capturing makes the linker allocate a small slice per call,
   * so the hot receive loop uses this and repeats a failed call with {@link Recv} to learn why.
   */
  static final class RecvFast {
    static final MethodHandle CALL = bindNoErrno("recv",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  }

  /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t len)}. */
  static final class Setsockopt {
    static final MethodHandle CALL = bind("setsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  }

  /** {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *len)}. */
  static final class Getsockopt {
    static final MethodHandle CALL = bind("getsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  }

  /** {@code int getsockname(int fd, sockaddr *addr, socklen_t *len)}. */
  static final class Getsockname {
    static final MethodHandle CALL = bind("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  }

  /** {@code int getpeername(int fd, sockaddr *addr, socklen_t *len)}. */
  static final class Getpeername {
    static final MethodHandle CALL = bind("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  }

  private Libc22() {}

  /** Links libc's {@code name}, capturing errno. */
  private static MethodHandle bind(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(symbol(name), fd, ERRNO);
  }

  /** Links libc's {@code name} without capturing errno. */
  private static MethodHandle bindNoErrno(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(symbol(name), fd);
  }

  private static MemorySegment symbol(String name) {
    return LINKER.defaultLookup().find(name)
        .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol " + name + " not found"));
  }

  /** A segment to pass as the capture-state argument of every call. */
  static MemorySegment newErrnoSegment(Arena arena) {
    return arena.allocate(CAPTURE);
  }

  static int errno(MemorySegment capture) {
    return capture.get(JAVA_INT, ERRNO_OFFSET);
  }

  static IOException error(String call, MemorySegment capture) {
    return new IOException(call + " failed: " + Errno.describe(errno(capture)));
  }
}
