package dev.rainbarrel.net;

import java.io.IOException;
import java.net.InetSocketAddress;

/** What the JDK 22+ native helper ({@code NativeSockets22}) offers to JDK 17 code. */
interface NativeSockets {

  /**
   * The descriptor in this process whose socket has this local address and, when {@code remote} is
   * non-null, this peer; with a null {@code remote}, a listening socket. -1 when none matches.
   */
  int findFd(InetSocketAddress local, InetSocketAddress remote) throws IOException;

  /** {@code getsockopt(fd, IPPROTO_TCP, TCP_INFO)}: the bytes the kernel filled in. */
  byte[] tcpInfo(int fd) throws IOException;

  /** {@code setsockopt(fd, level, name, &value, 4)}; throws naming the call and errno on failure. */
  void setIntOption(int fd, int level, int name, int value) throws IOException;
}
