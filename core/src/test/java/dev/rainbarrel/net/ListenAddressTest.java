package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ListenAddressTest {

  @Test
  void parsesIpv4() {
    ListenAddress a = ListenAddress.parse("127.0.0.1:8080");
    assertEquals(ListenAddress.Kind.TCP4, a.kind());
    assertArrayEquals(new byte[] {127, 0, 0, 1}, a.address());
    assertEquals(8080, a.port());
    assertEquals("127.0.0.1:8080", a.toString());
    assertFalse(a.isWildcard());
    assertTrue(ListenAddress.parse("0.0.0.0:0").isWildcard());
    assertEquals("10.1.2.3:65535", ListenAddress.parse("10.01.2.3:65535").canonical());
  }

  @Test
  void parsesIpv6() {
    ListenAddress a = ListenAddress.parse("[::1]:443");
    assertEquals(ListenAddress.Kind.TCP6, a.kind());
    assertEquals(443, a.port());
    byte[] one = new byte[16];
    one[15] = 1;
    assertArrayEquals(one, a.address());
    assertTrue(ListenAddress.parse("[::]:80").isWildcard());
    assertEquals("[::ffff:127.0.0.1]:80", ListenAddress.parse("[::FFFF:127.0.0.1]:80").canonical());
    assertEquals("[2001:db8::1:0:0:1]:1", ListenAddress.parse("[2001:db8:0:0:1:0:0:1]:1").canonical());
    assertEquals("[fe80::1]:1", ListenAddress.parse("[fe80:0:0:0:0:0:0:1]:1").canonical());
    assertEquals("[1:2:3:4:5:6:7:8]:9", ListenAddress.parse("[1:2:3:4:5:6:7:8]:9").canonical());
    assertEquals("[1::]:9", ListenAddress.parse("[1::]:9").canonical());
  }

  @Test
  void ipv6RoundTripsAgainstTheJdkParser() throws Exception {
    Random r = new Random(42);
    for (int i = 0; i < 2000; i++) {
      byte[] b = new byte[16];
      for (int g = 0; g < 8; g++) {
        if (r.nextInt(3) > 0) { // plenty of zero groups so '::' placement gets exercised
          b[2 * g] = (byte) r.nextInt(256);
          b[2 * g + 1] = (byte) r.nextInt(256);
        }
      }
      String text = ListenAddress.formatV6(b, 0);
      assertArrayEquals(b, ListenAddress.parseIpv6(text), text);
      byte[] jdk = InetAddress.getByName(text).getAddress(); // literal: no DNS
      if (jdk.length == 16) {
        assertArrayEquals(b, jdk, text);
      } else { // the JDK folds IPv4-mapped addresses to IPv4
        assertTrue(TcpTally.isV4Mapped(b), text);
        assertArrayEquals(java.util.Arrays.copyOfRange(b, 12, 16), jdk, text);
      }
    }
  }

  @Test
  void parsesUnixPaths() {
    ListenAddress p = ListenAddress.parse("/tmp/app.sock");
    assertEquals(ListenAddress.Kind.UNIX, p.kind());
    assertEquals("/tmp/app.sock", p.path());
    assertEquals(-1, p.port());
    assertEquals("@abstract", ListenAddress.parse("@abstract").path());
  }

  @Test
  void badInputNamesTheInputAndTheProblem() {
    assertMessage("8080", "\"8080\"", "no port");
    assertMessage("127.0.0.1", "\"127.0.0.1\"", "no port");
    assertMessage("127.0.0.1:", "\"127.0.0.1:\"", "no port");
    assertMessage("127.0.0.1:65536", "\"127.0.0.1:65536\"", "out of range");
    assertMessage("127.0.0.1:123456", "\"127.0.0.1:123456\"", "out of range");
    assertMessage("127.0.0.1:http", "\"127.0.0.1:http\"", "not a number");
    assertMessage("localhost:80", "\"localhost:80\"", "not a numeric IPv4 address");
    assertMessage("256.0.0.1:80", "\"256.0.0.1:80\"", "not a numeric IPv4 address");
    assertMessage("1.2.3:80", "\"1.2.3:80\"", "not a numeric IPv4 address");
    assertMessage("::1:80", "\"::1:80\"", "must be bracketed");
    assertMessage("[::1]", "\"[::1]\"", "no port");
    assertMessage("[::1:80", "\"[::1:80\"", "']' not found");
    assertMessage("[::g]:80", "\"[::g]:80\"", "not a numeric IPv6 address");
    assertMessage("[1::2::3]:80", "\"[1::2::3]:80\"", "not a numeric IPv6 address");
    assertMessage("[fe80::1%eth0]:80", "\"[fe80::1%eth0]:80\"", "not a numeric IPv6 address");
    assertMessage("", "\"\"", "empty");
    assertMessage("/", "\"/\"", "empty");
  }

  private static void assertMessage(String input, String quoted, String what) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(input), input);
    assertTrue(e.getMessage().contains(quoted), e.getMessage());
    assertTrue(e.getMessage().contains(what), e.getMessage());
  }
}
