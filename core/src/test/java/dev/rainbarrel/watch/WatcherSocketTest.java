package dev.rainbarrel.watch;

import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.TcpExtStats;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelEntry;
import dev.rainbarrel.shm.StandardNames;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The watcher on real loopback listeners, writing into a real Barrel. */
@Timeout(60)
class WatcherSocketTest {

  @TempDir Path dir;

  static ServerSocket listen(int backlog) throws Exception {
    return new ServerSocket(0, backlog, InetAddress.getByName("127.0.0.1"));
  }

  static String addr(ServerSocket s) {
    return "127.0.0.1:" + s.getLocalPort();
  }

  /** Listener values in the file as a reader sees them: name -> value for one label. */
  static Map<String, Long> fileValues(Barrel b, String label) throws Exception {
    Map<String, Long> m = new TreeMap<>();
    for (BarrelEntry e : b.entries()) {
      if (e.label().equals(label)) {
        m.put(e.name(), e.value());
      }
    }
    return m;
  }

  @Test
  void configuredListenerQueuedAndActiveReachTheBarrel() throws Exception {
    List<Socket> clients = new ArrayList<>();
    List<Socket> accepted = new ArrayList<>();
    try (ServerSocket server = listen(50);
        Barrel barrel = Barrel.open(dir.resolve("w.barrel"));
        Watcher w = Watcher.create(barrel, WatcherConfig.defaults().withActiveEveryRound()
            .withListeners(List.of(ListenAddress.parse(addr(server)))))) {
      for (int i = 0; i < 3; i++) {
        clients.add(new Socket("127.0.0.1", server.getLocalPort()));
      }
      w.sampleOnce();
      WatchedListener l = w.listener(addr(server));
      assertEquals(0, l.active());
      assertEquals(3, l.queued());
      Map<String, Long> v = fileValues(barrel, addr(server));
      assertEquals(3L, v.get(StandardNames.QUEUED));
      assertEquals(0L, v.get(StandardNames.ACTIVE));
      if (l.backlog() >= 0) {
        assertEquals(50L, v.get(StandardNames.BACKLOG), "netlink reports the backlog limit");
      }
      accepted.add(server.accept());
      accepted.add(server.accept());
      w.sampleOnce();
      assertEquals(2, l.active());
      assertEquals(1, l.queued());
      v = fileValues(barrel, addr(server));
      assertEquals(2L, v.get(StandardNames.ACTIVE));
      assertEquals(1L, v.get(StandardNames.QUEUED));
      assertEquals(2, l.queuedStats().count());
      assertEquals(3, l.queuedStats().max());
      assertEquals(2, l.activeStats().max());
      TcpExtStats host = w.hostCounters();
      assertNotNull(host, "host counters read from /proc/net/netstat");
      Map<String, Long> hostFile = fileValues(barrel, "");
      assertTrue(hostFile.get(StandardNames.LISTEN_OVERFLOWS) >= 0);
      assertTrue(hostFile.containsKey(StandardNames.LISTEN_DROPS));
    } finally {
      for (Socket s : clients) {
        s.close();
      }
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void discoveredListenersAppearAndDisappear() throws Exception {
    List<String> added = new CopyOnWriteArrayList<>();
    List<String> removed = new CopyOnWriteArrayList<>();
    try (Barrel barrel = Barrel.open(dir.resolve("d.barrel"));
        Watcher w = Watcher.start(barrel, WatcherConfig.defaults().withInterval(java.time.Duration.ofMillis(50)))) {
      w.addListener(new WatcherListener() {
        @Override
        public void listenerAdded(WatchedListener l) {
          added.add(l.address());
        }

        @Override
        public void listenerRemoved(WatchedListener l) {
          removed.add(l.address());
        }
      });
      Thread t = findThread(Watcher.THREAD_NAME);
      assertNotNull(t, "thread named " + Watcher.THREAD_NAME);
      assertTrue(t.isDaemon());
      String a;
      try (ServerSocket late = listen(8); Socket c = new Socket("127.0.0.1", late.getLocalPort())) {
        a = addr(late);
        awaitTrue(() -> added.contains(a), "late-bound listener discovered");
        awaitTrue(() -> w.listener(a) != null && w.listener(a).queued() == 1, "queued client seen");
        awaitTrue(() -> fileValues(barrel, a).getOrDefault(StandardNames.QUEUED, -1L) == 1L, "in the file");
      }
      awaitTrue(() -> removed.contains(a), "closed listener removed");
      assertNull(w.listener(a));
      awaitTrue(() -> fileValues(barrel, a).isEmpty(), "closed listener's gauges freed in the file");
      assertTrue(w.isRunning());
    }
    assertNull(findThread(Watcher.THREAD_NAME), "close() stops the thread");
  }

  @Test
  void hostOverflowRiseIsReported() throws Exception {
    List<TcpExtStats[]> rises = new CopyOnWriteArrayList<>();
    List<SocketChannel> clients = new ArrayList<>();
    try (ServerSocket server = listen(1);
        Watcher w = Watcher.create(null,
            WatcherConfig.defaults().withListeners(List.of(ListenAddress.parse(addr(server)))))) {
      w.addListener(new WatcherListener() {
        @Override
        public void listenOverflowsRose(TcpExtStats previous, TcpExtStats current) {
          rises.add(new TcpExtStats[] {previous, current});
        }
      });
      w.sampleOnce();
      long before = w.hostCounters().listenOverflows();
      // A backlog of 1 holds at most 2 completed connections; the handshakes of the rest overflow.
      for (int i = 0; i < 8; i++) {
        SocketChannel c = SocketChannel.open();
        c.configureBlocking(false);
        c.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()));
        clients.add(c);
      }
      awaitTrue(() -> TcpExtStats.read().listenOverflows() > before, "kernel counted an overflow");
      w.sampleOnce();
      assertFalse(rises.isEmpty(), "rise reported");
      TcpExtStats[] r = rises.get(rises.size() - 1);
      assertTrue(r[1].listenOverflows() > r[0].listenOverflows());
    } finally {
      for (SocketChannel c : clients) {
        c.close();
      }
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void awaitTrue(Check c, String what) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!c.ok()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting: " + what);
      }
      Thread.sleep(20);
    }
  }

  static Thread findThread(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name) && t.isAlive()) {
        return t;
      }
    }
    return null;
  }
}
