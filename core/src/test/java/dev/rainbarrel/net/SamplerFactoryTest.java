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

/** Which source {@link ListenerSampler#open()} picks, and the fallbacks that say why. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SamplerFactoryTest {

  @Test
  void netlinkIsAvailableOnEveryJdkOfTheBuild() {
    assertNull(ListenerSampler.netlinkUnavailableReason(),
        "JDK 17-21 through the JNI library, 22+ through FFM");
    try (ListenerSampler s = ListenerSampler.open()) {
      assertEquals(StatsSource.NETLINK, s.source(), s.fallbackReason());
      assertNull(s.fallbackReason());
    }
  }

  /**
   * With the library turned off on JDK 17-21, a child JVM samples from /proc and says why,
   * naming the property; on 22+ the property changes nothing (FFM answers).
   */
  @Test
  void libraryTurnedOffFallsBackToProcOnJdk17To21() throws Exception {
    String text = probe("-D" + SockDiagJni.PROPERTY + "=false");
    if (Runtime.version().feature() < 22) {
      assertTrue(text.contains("source=PROC"), text);
      assertTrue(text.contains("reason=netlink on JDK 17-21 needs rainbarrel's JNI library"), text);
      assertTrue(text.contains(SockDiagJni.PROPERTY + "=false"), text);
    } else {
      assertTrue(text.contains("source=NETLINK"), text);
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
      assertTrue(TcpInfo.unavailableReason().contains("JDK 22+"), TcpInfo.unavailableReason());
    }
  }

  /** With native access denied (JDK 24+), a child JVM falls back to /proc and says why. */
  @Test
  void deniedNativeAccessFallsBackToProc() throws Exception {
    assumeTrue(Runtime.version().feature() >= 24);
    String text = probe("--illegal-native-access=deny");
    assertTrue(text.contains("source=PROC"), text);
    assertTrue(text.contains("--enable-native-access"), text);
    assertTrue(text.contains("tcpinfo=UnsupportedOperationException"), text);
  }

  /** Runs {@link SamplerProbe} in a child JVM of this JDK with {@code option}; its output. */
  private static String probe(String option) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java, option, "-cp", System.getProperty("java.class.path"), SamplerProbe.class.getName())
            .redirectErrorStream(true)
            .start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), text);
    return text;
  }

  @Test
  void classPathHasTheOverlayOnJdk22Plus() {
    assumeTrue(Runtime.version().feature() >= 22);
    List<String> cp = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
    assertTrue(cp.stream().anyMatch(e -> e.endsWith("versions/22")), cp.toString());
  }
}
