package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * All-listeners mode keys, from {@code /proc/net/tcp6} rows written as the kernel prints them for
 * addresses no loopback test can bind: a link-local listener (whose scope, the interface, is not
 * part of the row and so never of the key), a global one, an IPv4-mapped one (keyed as IPv4) and
 * the wildcard, each with its connections and accept queue.
 */
class ProcAllListenersKeysTest {

  private static final String HEADER = "  sl  local_address                         remote_address"
      + "                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

  /** The four {@code __be32} words of an IPv6 address as {@code get_tcp6_sock} prints them here. */
  private static String words(String ip) throws Exception {
    byte[] b = InetAddress.getByName(ip).getAddress();
    if (b.length == 4) { // IPv4-mapped
      b = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, b[0], b[1], b[2], b[3]};
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      s.append(String.format("%08X", bb.getInt()));
    }
    return s.toString();
  }

  private static String row(int sl, String local, int port, String remote, int rport, int state,
      int rxQueue, long inode) throws Exception {
    return String.format("%4d: %s:%04X %s:%04X %02X 00000000:%08X 00:00000000 00000000  1000        0"
        + " %d 1 0000000000000000 20 4 0 10 -1%n",
        sl, words(local), port, words(remote), rport, state, rxQueue, inode);
  }

  @Test
  void linkLocalGlobalMappedAndWildcardListenersAreKeyedWithoutScope(@TempDir Path dir) throws Exception {
    Path net = Files.createDirectories(dir.resolve("proc/net"));
    Files.writeString(net.resolve("tcp"), "  sl  local_address rem_address   st\n", StandardCharsets.US_ASCII);
    String any = "::";
    String rows = HEADER
        + row(0, "fe80::1", 8080, any, 0, 0x0A, 2, 9001) // LISTEN on a link-local address, 2 queued
        + row(1, "2001:db8::7", 8080, any, 0, 0x0A, 0, 9002)
        + row(2, "127.0.0.1", 8081, any, 0, 0x0A, 1, 9003) // dual-stack socket on 127.0.0.1
        + row(3, any, 8082, any, 0, 0x0A, 0, 9004) // [::]:8082
        + row(4, "fe80::1", 8080, "fe80::2", 50000, 0x01, 0, 9101) // accepted
        + row(5, "fe80::1", 8080, "fe80::3", 50001, 0x01, 0, 9102)
        + row(6, "fe80::1", 8080, "fe80::4", 50002, 0x01, 0, 0) // in the accept queue: no inode
        + row(7, "2001:db8::7", 8080, "2001:db8::9", 50003, 0x01, 0, 9103)
        + row(8, "127.0.0.1", 8081, "127.0.0.1", 50004, 0x01, 0, 9104)
        + row(9, "2001:db8::7", 8082, "2001:db8::9", 50005, 0x01, 0, 9105) // to the wildcard
        + row(10, "fe80::1", 8080, "fe80::5", 50006, 0x06, 0, 0); // TIME_WAIT: not counted
    Files.writeString(net.resolve("tcp6"), rows, StandardCharsets.US_ASCII);

    Map<String, ListenerStats> all = new ProcListenerSampler(new ProcNetReader(dir.toString())).sampleAllTcp();
    Map<String, String> got = new LinkedHashMap<>();
    all.forEach((k, v) -> got.put(k, v.active() + "/" + v.queued() + "/" + v.listeners()));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("[fe80::1]:8080", "2/2/1");
    expected.put("[2001:db8::7]:8080", "1/0/1");
    expected.put("127.0.0.1:8081", "1/1/1");
    expected.put("[::]:8082", "1/0/1");
    assertEquals(expected, got);
  }
}
