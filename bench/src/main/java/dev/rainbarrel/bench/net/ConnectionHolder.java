package dev.rainbarrel.bench.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds load for the listen-stats benchmark: {@code listeners} loopback listeners, each with
 * {@code accepted} established connections (both ends in this process, so 2 descriptors each) and
 * {@code queued} connections left in its accept queue. Prints {@code READY addr;addr;...}, then
 * keeps everything open until its stdin closes. Several holders share the load when the
 * descriptor limit is low.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.rainbarrel.bench.net.ConnectionHolder LISTENERS
 * ACCEPTED QUEUED}
 */
public final class ConnectionHolder {

  private ConnectionHolder() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: ConnectionHolder LISTENERS ACCEPTED QUEUED");
      System.exit(2);
    }
    int listeners = Integer.parseInt(args[0]);
    int accepted = Integer.parseInt(args[1]);
    int queued = Integer.parseInt(args[2]);
    List<AutoCloseable> keep = new ArrayList<>();
    StringBuilder ready = new StringBuilder("READY ");
    for (int k = 0; k < listeners; k++) {
      ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.INET);
      keep.add(l);
      l.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
      InetSocketAddress to = (InetSocketAddress) l.getLocalAddress();
      for (int i = 0; i < accepted; i++) {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.INET);
        keep.add(c);
        c.connect(to);
        keep.add(l.accept());
      }
      for (int i = 0; i < queued; i++) {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.INET);
        keep.add(c);
        c.connect(to);
      }
      ready.append(k == 0 ? "" : ";").append("127.0.0.1:").append(to.getPort());
    }
    System.out.println(ready);
    System.out.flush();
    while (System.in.read() >= 0) {
      // hold until the script closes our stdin
    }
    for (AutoCloseable c : keep) {
      try {
        c.close();
      } catch (Exception e) {
        // exiting anyway
      }
    }
  }
}
