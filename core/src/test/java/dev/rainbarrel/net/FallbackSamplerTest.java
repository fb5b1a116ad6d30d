package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The netlink-to-/proc fallback logic, driven by a primary that fails on demand. */
class FallbackSamplerTest {

  /** Answers like netlink would (delegating to /proc rows) or fails with the given error. */
  private static final class FlakyPrimary implements ListenerSampler {
    final ListenerSampler real = ListenerSampler.openProc();
    IOException failWith;
    boolean closed;

    @Override
    public Map<String, ListenerStats> sample(List<ListenAddress> a) throws IOException {
      if (failWith != null) {
        throw failWith;
      }
      return real.sample(a);
    }

    @Override
    public Map<String, ListenerStats> sampleAllTcp() throws IOException {
      return sample(List.of());
    }

    @Override
    public Map<String, ListenerStats> sampleAll() throws IOException {
      return sample(List.of());
    }

    @Override
    public StatsSource source() {
      return StatsSource.NETLINK;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void aLoneFailureIsAnsweredFromProcAndRepeatedOnesGiveUpNetlink() throws Exception {
    try (Loopback net = new Loopback()) {
      ServerSocketChannel l = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
      net.connect("127.0.0.1", Loopback.port(l));
      String key = "127.0.0.1:" + Loopback.port(l);
      FlakyPrimary p = new FlakyPrimary();
      FallbackSampler s = new FallbackSampler(p, null);
      assertEquals(StatsSource.NETLINK, s.source());

      p.failWith = new IOException("netlink sock_diag: no reply within 2000 ms");
      Loopback.assertStats(s, key, 0, 1); // answered anyway
      assertEquals(StatsSource.PROC, s.source());
      assertTrue(s.fallbackReason().contains("no reply"), s.fallbackReason());

      p.failWith = null;
      s.sample(key);
      assertEquals(StatsSource.NETLINK, s.source());
      assertNull(s.fallbackReason());

      p.failWith = new IOException("sendto(netlink sock_diag) failed: errno 1 (EPERM)");
      for (int i = 0; i < FallbackSampler.MAX_FAILURES; i++) {
        assertEquals(1, s.sample(key).get(key).queued());
      }
      assertTrue(p.closed, "netlink should be closed after repeated failures");
      assertNull(s.primary());
      p.failWith = null;
      s.sample(key);
      assertEquals(StatsSource.PROC, s.source());
      assertTrue(s.fallbackReason().contains("EPERM"), s.fallbackReason());
      s.close();
    }
  }

  @Test
  void badAddressesAreNotNetlinkFailures() {
    FlakyPrimary p = new FlakyPrimary();
    FallbackSampler s = new FallbackSampler(p, null);
    assertThrows(IllegalArgumentException.class, () -> s.sample("nonsense"));
    assertEquals(StatsSource.NETLINK, s.source());
  }
}
