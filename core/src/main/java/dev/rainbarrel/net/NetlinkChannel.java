package dev.rainbarrel.net;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One {@code NETLINK_SOCK_DIAG} datagram socket and the two direct buffers its datagrams pass
 * through: the transport under {@link NetlinkSampler}, which builds every request and parses every
 * answer itself. Two implementations reach the same system calls: {@code FfmNetlinkChannel22}
 * through the FFM API on JDK 22+, and {@link JniNetlinkChannel} through the project's small JNI
 * library ({@link SockDiagJni}) on JDK 17-21, where FFM is not final.
 *
 * <p>The socket has a receive timeout of {@value #RECEIVE_TIMEOUT_MS} ms, so a kernel that never
 * answers cannot hang a sampler. Not thread-safe; {@link #close()} is idempotent.
 */
interface NetlinkChannel extends AutoCloseable {

  /** {@code SO_RCVTIMEO} of the socket. */
  int RECEIVE_TIMEOUT_MS = 2000;

  /** Bytes of {@link #request()}. */
  int REQUEST_CAPACITY = 16 * 1024;

  /** Bytes of {@link #reply()}: the kernel fills at most 32 KiB per datagram of a dump. */
  int REPLY_CAPACITY = 32 * 1024;

  /** The request buffer (direct, native byte order), written from index 0 by the caller. */
  ByteBuffer request();

  /** The reply buffer (direct, native byte order) that {@link #receive()} fills from index 0. */
  ByteBuffer reply();

  /**
   * Sends {@code request()[0, length)} to the kernel as one datagram.
   *
   * @throws IOException naming the call and the errno when the kernel refuses it
   */
  void send(int length) throws IOException;

  /**
   * Receives one datagram into {@link #reply()}.
   *
   * @return its length in bytes
   * @throws IOException when nothing comes within {@link #RECEIVE_TIMEOUT_MS}, or the call fails
   */
  int receive() throws IOException;

  /** {@code SO_RCVTIMEO} as the kernel holds it for this socket, in ms (tests). */
  long receiveTimeoutMillis() throws IOException;

  /** Closes the socket. */
  @Override
  void close();

  /** The message for a failed receive: a timeout says so, anything else names the errno. */
  static IOException receiveError(int errno) {
    if (errno == Errno.EAGAIN) {
      return new IOException("netlink sock_diag: no reply within " + RECEIVE_TIMEOUT_MS + " ms");
    }
    return new IOException("recv(netlink sock_diag) failed: " + Errno.describe(errno));
  }

  /** The message for a failed or short send. */
  static IOException sendError(long sent, int length, int errno) {
    return sent < 0
        ? new IOException("sendto(netlink sock_diag) failed: " + Errno.describe(errno))
        : new IOException("sendto(netlink sock_diag) sent " + sent + " of " + length + " bytes");
  }
}
