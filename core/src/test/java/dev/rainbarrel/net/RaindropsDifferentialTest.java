package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test against the reference: Debian's {@code ruby-raindrops} (installed by
 * scripts/ensure-tools.sh) answers {@code Raindrops::Linux.tcp_listener_stats} and {@code
 * unix_listener_stats} for the same sockets, one address per query (0.20.0 predates the
 * SO_REUSEPORT sum, so that case is not compared).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RaindropsDifferentialTest {

  private static final String RUBY =
      "require 'raindrops'\n"
          + "ARGV.each do |a|\n"
          + "  s = a.start_with?('/') ? Raindrops::Linux.unix_listener_stats([a])[a]"
          + " : Raindrops::Linux.tcp_listener_stats(a)[a]\n"
          + "  puts \"#{a} #{s.active} #{s.queued}\"\n"
          + "end\n";

  @Test
  void sameNumbersAsRaindrops(@TempDir Path dir) throws Exception {
    try (Loopback net = new Loopback();
        ListenerSampler best = ListenerSampler.open();
        ListenerSampler proc = ListenerSampler.openProc()) {
      List<String> keys = new ArrayList<>();
      ServerSocketChannel v4 = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 16);
      keys.add("127.0.0.1:" + Loopback.port(v4));
      ServerSocketChannel v6 = net.listen(StandardProtocolFamily.INET6, "::1", 0, 16);
      keys.add("[::1]:" + Loopback.port(v6));
      ServerSocketChannel mapped = net.listen(null, "127.0.0.1", 0, 16);
      keys.add("127.0.0.1:" + Loopback.port(mapped));
      ServerSocketChannel any4 = net.listen(StandardProtocolFamily.INET, "0.0.0.0", 0, 16);
      keys.add("0.0.0.0:" + Loopback.port(any4));
      keys.add("127.0.0.1:" + Loopback.port(any4));
      ServerSocketChannel dual = net.listen(null, "::", 0, 16);
      keys.add("[::]:" + Loopback.port(dual));
      Path sock = dir.resolve("rd.sock");
      ServerSocketChannel ux = net.listenUnix(sock, 16);
      keys.add(sock.toString());
      keys.add("127.0.0.1:1"); // nothing listens

      int n = 0;
      for (ServerSocketChannel l : List.of(v4, v6, mapped, any4, dual, ux)) {
        n++;
        for (int i = 0; i < n + 1; i++) {
          if (l == ux) {
            net.connect(UnixDomainSocketAddress.of(sock));
          } else if (l == v6) {
            net.connect("::1", Loopback.port(l));
          } else {
            net.connect(l == dual && i % 2 == 1 ? "::1" : "127.0.0.1", Loopback.port(l));
          }
        }
        for (int i = 0; i < n / 2 + 1; i++) {
          net.accept(l);
        }
      }
      Thread.sleep(50);

      Map<String, long[]> ref = raindrops(keys);
      for (ListenerSampler s : List.of(best, proc)) {
        Map<String, ListenerStats> ours = s.sample(keys.toArray(new String[0]));
        for (String k : keys) {
          long[] r = ref.get(k);
          ListenerStats o = ours.get(k);
          String msg = k + " via " + s.source() + ": ours " + o + ", raindrops " + r[0] + "/" + r[1];
          assertEquals(r[0], o.active(), msg);
          assertEquals(r[1], o.queued(), msg);
        }
      }
      // the comparison is not vacuous
      assertTrue(ref.get(keys.get(0))[1] > 0 && ref.get(keys.get(0))[0] > 0, ref.toString());
    }
  }

  private static Map<String, long[]> raindrops(List<String> keys) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ruby", "-e", RUBY));
    cmd.addAll(keys);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      throw new AssertionError(
          "ruby is missing: run scripts/ensure-tools.sh (installs ruby-raindrops)", e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ruby did not finish");
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(),
        "ruby-raindrops failed (run scripts/ensure-tools.sh to install it): " + text);
    Map<String, long[]> m = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 3) {
        m.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
      }
    }
    assertEquals(keys.size(), m.size(), text);
    return m;
  }
}
