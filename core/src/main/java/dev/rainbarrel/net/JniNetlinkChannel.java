package dev.rainbarrel.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link NetlinkChannel} through the project's JNI library ({@link SockDiagJni}), for JDK 17-21.
 * The C side wraps {@code socket}, {@code sendto}, {@code recv} and {@code close}, retries on
 * {@code EINTR} and returns {@code -errno}; it reads and writes only the two direct buffers here.
 */
final class JniNetlinkChannel implements NetlinkChannel {

  private final ByteBuffer request =
      ByteBuffer.allocateDirect(REQUEST_CAPACITY).order(ByteOrder.nativeOrder());
  private final ByteBuffer reply =
      ByteBuffer.allocateDirect(REPLY_CAPACITY).order(ByteOrder.nativeOrder());
  private int fd;

  private JniNetlinkChannel(int fd) {
    this.fd = fd;
  }

  /**
   * Opens the socket.
   *
   * @throws IOException if the library is not loaded ({@link SockDiagJni#unavailableReason()}) or
   *     the kernel refuses the socket (seccomp, some containers)
   */
  static JniNetlinkChannel open() throws IOException {
    String why = SockDiagJni.unavailableReason();
    if (why != null) {
      throw new IOException("netlink through the JNI library is unavailable: " + why);
    }
    int fd = SockDiagJni.open0(RECEIVE_TIMEOUT_MS);
    if (fd < 0) {
      throw new IOException("socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: " + Errno.describe(-fd));
    }
    return new JniNetlinkChannel(fd);
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
    int sent = SockDiagJni.send0(openFd(), request, length);
    if (sent != length) {
      throw NetlinkChannel.sendError(sent, length, -sent);
    }
  }

  @Override
  public int receive() throws IOException {
    int got = SockDiagJni.recv0(openFd(), reply, REPLY_CAPACITY);
    if (got < 0) {
      throw NetlinkChannel.receiveError(-got);
    }
    return got;
  }

  @Override
  public long receiveTimeoutMillis() throws IOException {
    long t = SockDiagJni.receiveTimeout0(openFd());
    if (t < 0) {
      throw new IOException("getsockopt(SO_RCVTIMEO) failed: " + Errno.describe((int) -t));
    }
    return t;
  }

  private int openFd() throws IOException {
    if (fd < 0) {
      throw new IOException("netlink socket closed");
    }
    return fd;
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
