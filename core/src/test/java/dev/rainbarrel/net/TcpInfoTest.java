package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpInfoTest {

  /** Decoding needs no kernel: runs on JDK 17 too. */
  @Test
  void decodesByLengthTheKernelReturned() {
    ByteBuffer b = ByteBuffer.allocate(104).order(ByteOrder.nativeOrder());
    b.put(0, (byte) 10); // LISTEN
    b.put(6, (byte) 0x75); // snd_wscale 5, rcv_wscale 7
    b.putInt(24, 3); // unacked
    b.putInt(28, 128); // sacked
    b.putInt(52, 0xfffffffe); // last_data_recv, unsigned
    TcpInfo t = TcpInfo.fromBytes(b.array());
    assertEquals(10, t.state());
    assertEquals("LISTEN", t.stateName());
    assertEquals(5, t.get("snd_wscale"));
    assertEquals(7, t.get("rcv_wscale"));
    assertEquals(3, t.unacked());
    assertEquals(128, t.sacked());
    assertEquals(0xfffffffeL, t.lastDataRecv());
    // raindrops' 32 fields plus the two bit fields of byte 7
    assertEquals(34, t.asMap().size(), t.asMap().keySet().toString());
    for (String f : new String[] {"ca_state", "retransmits", "probes", "backoff", "options", "rto",
        "ato", "snd_mss", "rcv_mss", "lost", "retrans", "fackets", "last_data_sent",
        "last_ack_sent", "last_ack_recv", "pmtu", "rcv_ssthresh", "rtt", "rttvar", "snd_ssthresh",
        "snd_cwnd", "advmss", "reordering", "rcv_rtt", "rcv_space", "total_retrans"}) {
      assertTrue(t.has(f), f);
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> t.get("min_rtt"));
    assertTrue(e.getMessage().contains("104 bytes"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> t.get("no_such_field"));
  }

  /**
   * warmUp links the native call ahead of the first real one: on JDK 22+ it returns (the expected
   * EBADF swallowed) and a real call follows; before 22 it says why there is no native path.
   */
  @Test
  void warmUpLinksTheNativeCallOrSaysWhyNot() throws Exception {
    if (Runtime.version().feature() < 22) {
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, TcpInfo::warmUp);
      assertTrue(e.getMessage().contains("JDK 22+"), e.getMessage());
      return;
    }
    TcpInfo.warmUp();
    TcpInfo.warmUp(); // idempotent
    try (Loopback net = new Loopback()) {
      ServerSocketChannel l = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
      assertEquals("LISTEN", TcpInfo.of(l).stateName());
    }
  }

  @Test
  void lastDataRecvGrowsWhileIdleAndStateFollowsThePeer() throws Exception {
    assumeTrue(Runtime.version().feature() >= 22);
    try (Loopback net = new Loopback()) {
      ServerSocketChannel l = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
      SocketChannel client = net.connect("127.0.0.1", Loopback.port(l));
      SocketChannel server = net.accept(l);
      client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      server.read(ByteBuffer.allocate(16));
      TcpInfo t1 = TcpInfo.of(server);
      assertEquals("ESTABLISHED", t1.stateName());
      assertTrue(t1.has("min_rtt") && t1.has("delivery_rate") && t1.has("busy_time"), t1.toString());
      Thread.sleep(300);
      TcpInfo t2 = TcpInfo.of(server);
      assertTrue(t2.lastDataRecv() >= t1.lastDataRecv() + 250, t1.lastDataRecv() + " -> "
          + t2.lastDataRecv());
      client.close();
      TcpInfo t3 = null;
      for (int i = 0; i < 200; i++) {
        t3 = TcpInfo.of(server);
        if (!"ESTABLISHED".equals(t3.stateName())) {
          break;
        }
        Thread.sleep(5);
      }
      assertEquals("CLOSE_WAIT", t3.stateName());
    }
  }

  @Test
  void listenerUnackedFollowsTheAcceptQueue() throws Exception {
    assumeTrue(Runtime.version().feature() >= 22);
    try (Loopback net = new Loopback()) {
      ServerSocketChannel l = net.listen(StandardProtocolFamily.INET6, "::1", 0, 12);
      assertEquals(0, TcpInfo.of(l).unacked());
      assertEquals(12, TcpInfo.of(l).sacked());
      assertEquals("LISTEN", TcpInfo.of(l).stateName());
      for (int i = 0; i < 3; i++) {
        net.connect("::1", Loopback.port(l));
      }
      long unacked = -1;
      for (int i = 0; i < 200 && unacked != 3; i++) {
        unacked = TcpInfo.of(l).unacked();
        Thread.sleep(5);
      }
      assertEquals(3, unacked);
      net.accept(l);
      assertEquals(2, TcpInfo.of(l).unacked());
    }
  }

  @Test
  void worksForPlainSocketsAndRawDescriptors() throws Exception {
    assumeTrue(Runtime.version().feature() >= 22);
    try (ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
        Socket s = ss.accept()) {
      assertEquals("ESTABLISHED", TcpInfo.of(c).stateName());
      assertEquals("ESTABLISHED", TcpInfo.of(s).stateName());
      assertEquals(5, TcpInfo.of(ss).sacked());
      int fd = NativeNet.sockets().findFd(
          (InetSocketAddress) c.getLocalSocketAddress(),
          (InetSocketAddress) c.getRemoteSocketAddress());
      assertTrue(fd >= 0);
      assertEquals(TcpInfo.of(c).get("snd_mss"), TcpInfo.ofFd(fd).get("snd_mss"));
    }
    IOException e = assertThrows(IOException.class, () -> TcpInfo.ofFd(Integer.MAX_VALUE));
    assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TcpInfo.ofFd(-1));
  }
}
