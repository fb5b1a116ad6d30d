package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OwnListenersAndNetstatTest {

  @Test
  @SuppressWarnings("try") // the other process only has to live for the block
  void findsThisProcesssListenersAndOnlyThose(@TempDir Path dir) throws Exception {
    try (Loopback net = new Loopback();
        AbstractUnixServer other = AbstractUnixServer.start("rb-other-" + System.nanoTime(), 0, 0)) {
      ServerSocketChannel v4 = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
      ServerSocketChannel v6 = net.listen(StandardProtocolFamily.INET6, "::1", 0, 8);
      ServerSocketChannel mapped = net.listen(null, "127.0.0.1", 0, 8);
      ServerSocketChannel any = net.listen(null, "::", 0, 8);
      Path sock = dir.resolve("own.sock");
      net.listenUnix(sock, 8);
      // a connected, non-listening socket must not show up
      net.connect("127.0.0.1", Loopback.port(v4));

      List<String> found = OwnListeners.find().stream().map(ListenAddress::canonical).toList();
      assertTrue(found.contains("127.0.0.1:" + Loopback.port(v4)), found.toString());
      assertTrue(found.contains("[::1]:" + Loopback.port(v6)), found.toString());
      assertTrue(found.contains("127.0.0.1:" + Loopback.port(mapped)), found.toString());
      assertTrue(found.contains("[::]:" + Loopback.port(any)), found.toString());
      assertTrue(found.contains(sock.toString()), found.toString());
      for (String f : found) {
        assertFalse(f.startsWith("@rb-other-"), "another process's listener was reported: " + f);
      }

      // what we discover can be sampled as is
      try (ListenerSampler s = ListenerSampler.openProc()) {
        String key = "127.0.0.1:" + Loopback.port(v4);
        Loopback.assertStats(s, key, 0, 1);
      }

      String v4Key = "127.0.0.1:" + Loopback.port(v4);
      v4.close();
      List<String> after = OwnListeners.find().stream().map(ListenAddress::canonical).toList();
      assertFalse(after.contains(v4Key), after.toString());
    }
  }

  @Test
  void readsListenOverflowsAndDrops() throws Exception {
    TcpExtStats s = TcpExtStats.read();
    assertTrue(s.listenOverflows() >= 0);
    assertTrue(s.listenDrops() >= s.listenOverflows(), s.toString());
  }

  @Test
  void listenOverflowsRiseWhenAnAcceptQueueOverflows() throws Exception {
    TcpExtStats before = TcpExtStats.read();
    List<java.nio.channels.SocketChannel> clients = new java.util.ArrayList<>();
    try (Loopback net = new Loopback()) {
      ServerSocketChannel l = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 1);
      int port = Loopback.port(l);
      // backlog 1 holds 2 connections; later handshakes overflow. Non-blocking connects only: a
      // blocking one would wait for SYN retransmissions.
      for (int i = 0; i < 8; i++) {
        java.nio.channels.SocketChannel c =
            java.nio.channels.SocketChannel.open(StandardProtocolFamily.INET);
        clients.add(c);
        c.configureBlocking(false);
        c.connect(new java.net.InetSocketAddress("127.0.0.1", port));
      }
      for (int i = 0; i < 200
          && TcpExtStats.read().listenOverflows() == before.listenOverflows(); i++) {
        Thread.sleep(10);
      }
    } finally {
      for (java.nio.channels.SocketChannel c : clients) {
        c.close();
      }
    }
    TcpExtStats after = TcpExtStats.read();
    assertTrue(after.listenOverflows() > before.listenOverflows(), before + " -> " + after);
    assertTrue(after.listenDrops() > before.listenDrops(), before + " -> " + after);
  }

  @Test
  void netstatErrorsNameTheFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("netstat");
    Files.writeString(f, "IpExt: A B\nIpExt: 1 2\n");
    IOException e = assertThrows(IOException.class, () -> TcpExtStats.read(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    Files.writeString(f, "TcpExt: ListenOverflows ListenDrops X\nTcpExt: 7 9 1\n");
    assertEquals(new TcpExtStats(7, 9), TcpExtStats.read(f));
  }
}
