package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JNI library that gives {@link NetlinkSampler} its socket on JDK 17-21 ({@link SockDiagJni},
 * {@link JniNetlinkChannel}). On JDK 17 (the build's second test pass) it must load, since the
 * build compiles it for this machine, and {@link ListenerSampler#open()} must go through it; on
 * JDK 22+ it must stay unused, say why, and FFM must answer. What the sampler answers over either
 * transport is {@link NetlinkSamplerTest}'s, {@link NetlinkEqualsProcTest}'s and {@link
 * NetlinkListingTest}'s business, on both JDKs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SockDiagJniTest {

  private static final boolean JNI_EXPECTED = Runtime.version().feature() < 22;

  @Test
  void loadsOnJdk17To21AndStaysUnusedOn22Up() throws IOException {
    String why = SockDiagJni.unavailableReason();
    if (JNI_EXPECTED) {
      assertNull(why, "the build compiled the library for this machine; it must load here");
      try (JniNetlinkChannel c = JniNetlinkChannel.open()) {
        assertEquals(NetlinkChannel.RECEIVE_TIMEOUT_MS, c.receiveTimeoutMillis(),
            "SO_RCVTIMEO is set on the real socket");
      }
    } else {
      assertNotNull(why);
      assertTrue(why.contains("JDK 22+"), why);
      IOException e = assertThrows(IOException.class, JniNetlinkChannel::open);
      assertTrue(e.getMessage().contains(why), e.getMessage());
    }
    try (ListenerSampler s = ListenerSampler.open()) {
      assertEquals(why, s.jniUnavailableReason());
    }
  }

  /** {@link ListenerSampler#open()} samples over netlink, through the library on JDK 17-21. */
  @Test
  void openUsesTheLibraryOnJdk17To21AndFfmOn22Up() throws Exception {
    try (ListenerSampler s = ListenerSampler.open()) {
      assertEquals(StatsSource.NETLINK, s.source(), s.fallbackReason());
      NetlinkSampler netlink = (NetlinkSampler) ((FallbackSampler) s).primary();
      assertEquals(JNI_EXPECTED ? "JniNetlinkChannel" : "FfmNetlinkChannel22",
          netlink.channel().getClass().getSimpleName());
    }
  }

  /**
   * A library socket that stops working (closed here, as a seccomp filter refusing netlink would
   * make every call fail) fails each dump with an IOException; the sampler answers from {@code
   * /proc} meanwhile and gives netlink up on the third failure in a row, saying why.
   */
  @Test
  void aFailingSocketFallsBackToProcAndIsGivenUp() throws Exception {
    if (!JNI_EXPECTED) {
      return; // FFM's failures take the same FallbackSampler path (FallbackSamplerTest)
    }
    try (Loopback net = new Loopback(); ListenerSampler s = ListenerSampler.open()) {
      ServerSocketChannel l = net.listen(null, "127.0.0.1", 0, 16);
      String key = "127.0.0.1:" + Loopback.port(l);
      for (int i = 0; i < 3; i++) {
        net.connect("127.0.0.1", Loopback.port(l));
      }
      net.accept(l);
      assertEquals(16, s.sample(key).get(key).backlog(), "over netlink");
      NetlinkSampler netlink = (NetlinkSampler) ((FallbackSampler) s).primary();
      JniNetlinkChannel channel = assertInstanceOf(JniNetlinkChannel.class, netlink.channel());
      channel.close();
      IOException e = assertThrows(IOException.class, () -> channel.send(16));
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
      for (int i = 1; i <= FallbackSampler.MAX_FAILURES; i++) {
        ListenerStats st = s.sample(key).get(key);
        assertEquals(1, st.active(), "failure " + i + ": answered from the files");
        assertEquals(2, st.queued());
        assertEquals(ListenerStats.UNKNOWN, st.backlog(), "from the files");
        assertEquals(StatsSource.PROC, s.source());
      }
      assertTrue(s.fallbackReason().contains("3 times in a row"), s.fallbackReason());
      assertNull(((FallbackSampler) s).primary(), "netlink given up");
      assertNotNull(s.jniUnavailableReason());
    }
  }
}
