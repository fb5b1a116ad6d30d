package dev.rainbarrel.net;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Sets {@code TCP_DEFER_ACCEPT} on a listening socket of this process, so the kernel hands a
 * connection to {@code accept()} only once its first data has arrived. With it, a connection's
 * {@code TCP_INFO.last_data_recv} read right after {@code accept()} is the time the request
 * waited in the accept queue — raindrops' {@code LastDataRecv} measure. Needs JDK 22+ (FFM) on
 * Linux; otherwise {@link UnsupportedOperationException} says why.
 */
public final class DeferAccept {
  /** {@code IPPROTO_TCP}. */
  static final int IPPROTO_TCP = 6;
  /** {@code TCP_DEFER_ACCEPT} from {@code <netinet/tcp.h>}. */
  static final int TCP_DEFER_ACCEPT = 9;

  private DeferAccept() {}

  /**
   * Sets {@code TCP_DEFER_ACCEPT} to {@code seconds} on this process's listening socket bound to
   * {@code local}.
   *
   * @throws IOException when no listening descriptor of this process matches, or setsockopt fails
   */
  public static void set(InetSocketAddress local, int seconds) throws IOException {
    if (seconds < 0) {
      throw new IllegalArgumentException("TCP_DEFER_ACCEPT seconds must be >= 0: " + seconds);
    }
    NativeSockets ns = NativeNet.sockets();
    int fd = ns.findFd(local, null);
    if (fd < 0) {
      throw new IOException("no listening descriptor of this process is bound to " + local);
    }
    ns.setIntOption(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, seconds);
  }
}
