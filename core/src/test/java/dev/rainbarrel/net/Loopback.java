package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Real loopback sockets for tests; everything opened is closed by {@link #close()}. */
final class Loopback implements Closeable {

  private final List<Closeable> open = new ArrayList<>();

  ServerSocketChannel listen(ProtocolFamily family, String host, int port, int backlog)
      throws IOException {
    ServerSocketChannel s =
        family == null ? ServerSocketChannel.open() : ServerSocketChannel.open(family);
    open.add(s);
    s.bind(new InetSocketAddress(InetAddress.getByName(host), port), backlog);
    return s;
  }

  ServerSocketChannel listenReusePort(ProtocolFamily family, String host, int port, int backlog)
      throws IOException {
    ServerSocketChannel s = ServerSocketChannel.open(family);
    open.add(s);
    s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    s.bind(new InetSocketAddress(InetAddress.getByName(host), port), backlog);
    return s;
  }

  ServerSocketChannel listenUnix(java.nio.file.Path path, int backlog) throws IOException {
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    open.add(s);
    s.bind(UnixDomainSocketAddress.of(path), backlog);
    return s;
  }

  /** Connects a client (blocking: returns once the kernel completed the handshake). */
  SocketChannel connect(SocketAddress to) throws IOException {
    SocketChannel c =
        to instanceof UnixDomainSocketAddress
            ? SocketChannel.open(StandardProtocolFamily.UNIX)
            : SocketChannel.open(((InetSocketAddress) to).getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    open.add(c);
    c.connect(to);
    return c;
  }

  /** Connects to the listener's port on {@code host} (for wildcard listeners). */
  SocketChannel connect(String host, int port) throws IOException {
    return connect(new InetSocketAddress(InetAddress.getByName(host), port));
  }

  SocketChannel accept(ServerSocketChannel s) throws IOException {
    SocketChannel c = s.accept();
    open.add(c);
    return c;
  }

  static int port(ServerSocketChannel s) throws IOException {
    return ((InetSocketAddress) s.getLocalAddress()).getPort();
  }

  @Override
  public void close() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (IOException e) {
        // best effort in tests
      }
    }
    open.clear();
  }

  /**
   * Samples until the numbers equal the expectation (the kernel finishes handshakes and closes
   * asynchronously), for at most two seconds, then asserts them exactly.
   */
  static void assertStats(
      ListenerSampler sampler, String addr, long active, long queued) throws Exception {
    ListenerStats s = null;
    long deadline = System.nanoTime() + 2_000_000_000L;
    for (int i = 0; i < 400; i++) {
      Map<String, ListenerStats> m = sampler.sample(addr);
      s = m.get(addr);
      if (s != null && s.active() == active && s.queued() == queued) {
        return;
      }
      if (System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(5);
    }
    assertEquals(active + "/" + queued, s == null ? "missing" : s.active() + "/" + s.queued(),
        addr + " active/queued via " + sampler.source() + ": " + s);
  }
}
