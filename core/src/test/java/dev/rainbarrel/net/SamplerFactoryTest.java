package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which source {@link ListenerSampler#open()} picks, and the JDK 17 fallbacks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SamplerFactoryTest {

  @Test
  void jdk17UsesProcAndSaysWhy() throws Exception {
    assumeTrue(Runtime.version().feature() < 22);
    try (ListenerSampler s = ListenerSampler.open()) {
      assertEquals(StatsSource.PROC, s.source());
      assertTrue(s.fallbackReason().contains("JDK 22+ is needed"), s.fallbackReason());
      assertTrue(ListenerSampler.netlinkUnavailableReason().contains("JDK 22+"));
    }
  }

  @Test
  void jdk17TcpInfoIsAClearUnsupportedOperation() throws Exception {
    assumeTrue(Runtime.version().feature() < 22);
    try (Loopback net = new Loopback()) {
      ServerSocketChannel l = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 4);
      SocketChannel c = net.connect("127.0.0.1", Loopback.port(l));
      UnsupportedOperationException e =
          assertThrows(UnsupportedOperationException.class, () -> TcpInfo.of(c));
      assertTrue(e.getMessage().contains("JDK 22+"), e.getMessage());
      assertThrows(UnsupportedOperationException.class, () -> TcpInfo.ofFd(0));
    }
  }

  @Test
  void jdk22PlusUsesNetlink() {
    assumeTrue(Runtime.version().feature() >= 22);
    try (ListenerSampler s = ListenerSampler.open()) {
      assertEquals(StatsSource.NETLINK, s.source(), s.fallbackReason());
      assertNull(s.fallbackReason());
    }
  }

  /** With native access denied (JDK 24+), a child JVM falls back to /proc and says why. */
  @Test
  void deniedNativeAccessFallsBackToProc() throws Exception {
    assumeTrue(Runtime.version().feature() >= 24);
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "--illegal-native-access=deny",
                "-cp",
                System.getProperty("java.class.path"),
                SamplerProbe.class.getName())
            .redirectErrorStream(true)
            .start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), text);
    assertTrue(text.contains("source=PROC"), text);
    assertTrue(text.contains("--enable-native-access"), text);
    assertTrue(text.contains("tcpinfo=UnsupportedOperationException"), text);
  }

  @Test
  void classPathHasTheOverlayOnJdk22Plus() {
    assumeTrue(Runtime.version().feature() >= 22);
    List<String> cp = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
    assertTrue(cp.stream().anyMatch(e -> e.endsWith("versions/22")), cp.toString());
  }
}
