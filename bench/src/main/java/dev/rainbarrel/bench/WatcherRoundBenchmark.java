package dev.rainbarrel.bench;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * One watcher round (what the {@code rainbarrel-watcher} thread does once per interval): listener
 * discovery or the configured list, one sample of two loopback listeners (one with 4 queued
 * connections), aggregates, Barrel writes, {@code /proc/net/netstat}. At the default 1 s interval
 * the CPU share of one core is (time per round) / 1 s: the target, 0.1 %, is 1000 us per round.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class WatcherRoundBenchmark {

  /** {@code discover}: OwnListeners each round (the agent's default); {@code configured}: fixed list. */
  @Param({"discover", "configured"})
  String listeners;

  Path dir;
  Barrel barrel;
  Watcher watcher;
  List<ServerSocket> servers = new ArrayList<>();
  List<Socket> clients = new ArrayList<>();

  @Setup
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("rb-bench");
    barrel = Barrel.open(dir.resolve("bench.barrel"));
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    List<ListenAddress> addresses = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ServerSocket s = new ServerSocket(0, 64, lo);
      servers.add(s);
      addresses.add(ListenAddress.parse("127.0.0.1:" + s.getLocalPort()));
    }
    for (int i = 0; i < 4; i++) {
      clients.add(new Socket(lo, servers.get(0).getLocalPort()));
    }
    WatcherConfig c = WatcherConfig.defaults();
    if (listeners.equals("configured")) {
      c = c.withListeners(addresses);
    }
    watcher = Watcher.create(barrel, c);
    watcher.sampleOnce();
    if (watcher.listener(addresses.get(0).toString()).queued() != 4) {
      throw new IllegalStateException("watcher does not see the 4 queued connections: " + watcher);
    }
  }

  @Benchmark
  public long round() {
    watcher.sampleOnce();
    return watcher.rounds();
  }

  @TearDown
  public void tearDown() throws Exception {
    System.out.println("# watcher source: " + watcher.source() + ", errors: " + watcher.errors());
    watcher.close();
    for (Socket s : clients) {
      s.close();
    }
    for (ServerSocket s : servers) {
      s.close();
    }
    barrel.close();
    Files.deleteIfExists(dir.resolve("bench.barrel"));
    Files.deleteIfExists(dir);
  }
}
