package dev.rainbarrel.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.ListenerStats;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.StandardNames;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /_raindrops} against the reference: Debian's ruby-raindrops {@code Raindrops::Middleware}
 * answering {@code /_raindrops} for the same counter values and the same live listeners (two TCP,
 * one Unix, with queued and accepted connections).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RaindropsMiddlewareDifferentialTest {
  private static final String RUBY = "require 'raindrops'\n"
      + "stats = Raindrops::Middleware::Stats.new\n"
      + "ARGV[0].to_i.times { stats.incr_calling }\n"
      + "ARGV[1].to_i.times { stats.incr_writing }\n"
      + "app = lambda { |env| [200, {}, []] }\n"
      + "mw = Raindrops::Middleware.new(app, :stats => stats, :listeners => ARGV[2..-1])\n"
      + "status, headers, body = mw.call('PATH_INFO' => '/_raindrops', 'REQUEST_METHOD' => 'GET')\n"
      + "out = ''\n"
      + "body.each { |part| out << part }\n"
      + "$stdout.write(status.to_s + \"\\n\" + headers['Content-Type'] + \"\\n\" + headers['Content-Length'] + \"\\n\" + out)\n";

  @TempDir Path dir;

  @Test
  void sameBytesAsRaindropsMiddleware() throws Exception {
    ExternalTool.require("ruby", "ruby-raindrops");
    ExternalTool.Run check = ExternalTool.run(List.of("ruby", "-e", "require 'raindrops'; require 'rack'"), null, 60);
    if (check.exit() != 0) {
      ExternalTool.require("ruby-raindrops-and-rack-libraries", "ruby-raindrops and ruby-rack");
    }
    List<AutoCloseable> open = new ArrayList<>();
    try (Barrel barrel = Barrel.open(dir.resolve("d.barrel"))) {
      // AF_INET listeners: raindrops 0.20's multi-address query does not see Java's default
      // dual-stack (IPv4-mapped IPv6) sockets, so both sides are given plain IPv4 ones
      InetAddress lo = InetAddress.getByName("127.0.0.1");
      ServerSocketChannel a = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(lo, 0), 16);
      ServerSocketChannel b = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(lo, 0), 16);
      open.add(a);
      open.add(b);
      int portA = ((InetSocketAddress) a.getLocalAddress()).getPort();
      int portB = ((InetSocketAddress) b.getLocalAddress()).getPort();
      for (int i = 0; i < 3; i++) {
        open.add(SocketChannel.open(new InetSocketAddress(lo, portA)));
      }
      open.add(a.accept());
      open.add(SocketChannel.open(new InetSocketAddress(lo, portB)));
      Path sock = dir.resolve("d.sock");
      ServerSocketChannel u = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(sock), 8);
      open.add(u);
      open.add(SocketChannel.open(UnixDomainSocketAddress.of(sock)));
      open.add(SocketChannel.open(UnixDomainSocketAddress.of(sock)));
      open.add(u.accept());
      Thread.sleep(50);
      List<String> addrs = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB, sock.toString());

      // our side: the watcher's job, done once by hand
      barrel.gauge(StandardNames.CALLING).add(3);
      barrel.gauge(StandardNames.WRITING).add(2);
      try (ListenerSampler sampler = ListenerSampler.open()) {
        Map<String, ListenerStats> m = sampler.sample(addrs.toArray(new String[0]));
        for (String addr : addrs) {
          barrel.gauge(StandardNames.ACTIVE, addr).set(m.get(addr).active());
          barrel.gauge(StandardNames.QUEUED, addr).set(m.get(addr).queued());
        }
      }
      String ours;
      String ourLength;
      try (EndpointServer server = EndpointServer.start(new InetSocketAddress("127.0.0.1", 0), barrel, null)) {
        RawHttp.Reply r = RawHttp.get(server.address(), "/_raindrops");
        ours = r.text();
        ourLength = r.header("Content-Length");
        assertEquals("text/plain", r.header("Content-Type"));
      }

      List<String> cmd = new ArrayList<>(List.of("ruby", "-e", RUBY, "3", "2"));
      cmd.addAll(addrs);
      ExternalTool.Run ruby = ExternalTool.run(cmd, null, 60);
      assertEquals(0, ruby.exit(), ruby.output());
      String[] parts = ruby.output().split("\n", 4);
      assertEquals("200", parts[0]);
      assertEquals("text/plain", parts[1]);
      assertEquals(parts[3], ours);
      assertEquals(parts[2], ourLength);
      // not vacuous: queued and active connections are in there
      assertTrue(ours.contains(addrs.get(0) + " active: 1\n" + addrs.get(0) + " queued: 2\n"), ours);
      assertTrue(ours.contains(sock + " active: 1\n" + sock + " queued: 1\n"), ours);
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }
}
