package dev.rainbarrel.net;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link NetlinkChannel} through the FFM API (JDK 22+). The buffers are segments of this
 * channel's arena, seen by {@link NetlinkSampler} as direct {@link ByteBuffer}s. Found by class
 * name ({@link NativeNet}), so JDK 17 code never links it.
 */
final class FfmNetlinkChannel22 implements NetlinkChannel {

  private final Arena arena = Arena.ofShared();
  private final MemorySegment errno;
  private final MemorySegment nladdr;
  private final MemorySegment req;
  private final MemorySegment rbuf;
  private final ByteBuffer request;
  private final ByteBuffer reply;
  private final int fd;
  private boolean closed;

  FfmNetlinkChannel22() throws IOException {
    errno = Libc22.newErrnoSegment(arena);
    nladdr = arena.allocate(12, 4);
    nladdr.set(JAVA_SHORT, 0, (short) Libc22.AF_NETLINK);
    req = arena.allocate(REQUEST_CAPACITY, 8);
    rbuf = arena.allocate(REPLY_CAPACITY, 8);
    request = req.asByteBuffer().order(ByteOrder.nativeOrder());
    reply = rbuf.asByteBuffer().order(ByteOrder.nativeOrder());
    int s;
    try {
      s = (int) Libc22.Socket.CALL.invokeExact(errno, Libc22.AF_NETLINK,
          Libc22.SOCK_RAW | Libc22.SOCK_CLOEXEC, Libc22.NETLINK_SOCK_DIAG);
    } catch (Throwable t) {
      arena.close();
      throw rethrow(t);
    }
    if (s < 0) {
      IOException e = Libc22.error("socket(AF_NETLINK, NETLINK_SOCK_DIAG)", errno);
      arena.close();
      throw e;
    }
    fd = s;
    try {
      MemorySegment tv = arena.allocate(16, 8);
      tv.set(JAVA_LONG, 0, RECEIVE_TIMEOUT_MS / 1000);
      tv.set(JAVA_LONG, 8, (RECEIVE_TIMEOUT_MS % 1000) * 1000L);
      int rc = (int) Libc22.Setsockopt.CALL.invokeExact(
          errno, fd, Libc22.SOL_SOCKET, Libc22.SO_RCVTIMEO, tv, 16);
      if (rc != 0) {
        throw Libc22.error("setsockopt(SO_RCVTIMEO)", errno);
      }
    } catch (Throwable t) {
      close();
      throw rethrow(t);
    }
  }

  private static IOException rethrow(Throwable t) {
    if (t instanceof IOException) {
      return (IOException) t;
    }
    if (t instanceof RuntimeException) {
      throw (RuntimeException) t;
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
    return new IOException(t);
  }

  @Override
  public ByteBuffer request() {
    return request;
  }

  @Override
  public ByteBuffer reply() {
    return reply;
  }

  @Override
  public void send(int length) throws IOException {
    ensureOpen();
    for (int attempt = 0; attempt < 100; attempt++) {
      long n;
      try {
        n = (long) Libc22.Sendto.CALL.invokeExact(errno, fd, req, (long) length, 0, nladdr, 12);
      } catch (Throwable t) {
        throw rethrow(t);
      }
      if (n == length) {
        return;
      }
      int e = n < 0 ? Libc22.errno(errno) : 0;
      if (e != Errno.EINTR) {
        throw NetlinkChannel.sendError(n, length, e);
      }
    }
    throw new IOException("sendto(netlink sock_diag) interrupted 100 times");
  }

  @Override
  public int receive() throws IOException {
    ensureOpen();
    for (int attempt = 0; attempt < 100; attempt++) {
      long n;
      try {
        n = (long) Libc22.RecvFast.CALL.invokeExact(fd, rbuf, (long) REPLY_CAPACITY, 0);
        if (n < 0) {
          // errno of the failed call is lost to the JVM: the same call again tells it (EINTR
          // retries, EAGAIN waits one more timeout, any other error repeats itself)
          n = (long) Libc22.Recv.CALL.invokeExact(errno, fd, rbuf, (long) REPLY_CAPACITY, 0);
        }
      } catch (Throwable t) {
        throw rethrow(t);
      }
      if (n >= 0) {
        return (int) n;
      }
      int e = Libc22.errno(errno);
      if (e != Errno.EINTR) {
        throw NetlinkChannel.receiveError(e);
      }
    }
    throw new IOException("recv(netlink sock_diag) interrupted 100 times");
  }

  @Override
  public long receiveTimeoutMillis() throws IOException {
    ensureOpen();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment tv = a.allocate(16, 8);
      MemorySegment len = a.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, 16);
      int rc;
      try {
        rc = (int) Libc22.Getsockopt.CALL.invokeExact(errno, fd, Libc22.SOL_SOCKET, Libc22.SO_RCVTIMEO, tv, len);
      } catch (Throwable t) {
        throw rethrow(t);
      }
      if (rc != 0) {
        throw Libc22.error("getsockopt(SO_RCVTIMEO)", errno);
      }
      return tv.get(JAVA_LONG, 0) * 1000 + tv.get(JAVA_LONG, 8) / 1000;
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("netlink socket closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      int rc = (int) Libc22.Close.CALL.invokeExact(errno, fd);
      assert rc == 0 || rc == -1;
    } catch (Throwable t) {
      // nothing more to do: the descriptor is gone either way
    }
    arena.close();
  }
}
