package dev.rainbarrel.bench;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time (user + system, from {@link ThreadMXBean}) of one watcher round, the figure the 0.1 %
 * target is about: wall-clock time on a loaded machine includes waiting for a CPU, CPU time does
 * not. Same set-up as {@link WatcherRoundBenchmark}: two loopback listeners, four queued
 * connections, a Barrel.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.rainbarrel.bench.WatcherCpuCost [rounds]</pre>
 */
public final class WatcherCpuCost {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    Path dir = Files.createTempDirectory("rb-cpu");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (ServerSocket s1 = new ServerSocket(0, 64, lo);
        ServerSocket s2 = new ServerSocket(0, 64, lo);
        Barrel barrel = Barrel.open(dir.resolve("cpu.barrel"))) {
      List<Socket> clients = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        clients.add(new Socket(lo, s1.getLocalPort()));
      }
      for (String mode : new String[] {"discover", "configured"}) {
        WatcherConfig c = WatcherConfig.defaults();
        if (mode.equals("configured")) {
          c = c.withListeners(List.of(ListenAddress.parse("127.0.0.1:" + s1.getLocalPort()),
              ListenAddress.parse("127.0.0.1:" + s2.getLocalPort())));
        }
        try (Watcher w = Watcher.create(barrel, c)) {
          for (int i = 0; i < Math.max(100, rounds / 2); i++) {
            w.sampleOnce(); // warm-up
          }
          long cpu0 = threads.getCurrentThreadCpuTime();
          long user0 = threads.getCurrentThreadUserTime();
          long wall0 = System.nanoTime();
          for (int i = 0; i < rounds; i++) {
            w.sampleOnce();
          }
          long cpu = (threads.getCurrentThreadCpuTime() - cpu0) / rounds;
          long user = (threads.getCurrentThreadUserTime() - user0) / rounds;
          long wall = (System.nanoTime() - wall0) / rounds;
          System.out.printf("%-10s source=%s listeners=%d cpu=%d us/round (user %d, sys %d) wall=%d us"
                  + " -> %.3f %% of one core at a 1 s interval%n",
              mode, w.source(), w.listeners().size(), cpu / 1000, user / 1000, (cpu - user) / 1000,
              wall / 1000, cpu / 1e9 * 100);
        }
      }
      for (Socket s : clients) {
        s.close();
      }
    } finally {
      Files.deleteIfExists(dir.resolve("cpu.barrel"));
      Files.deleteIfExists(dir);
    }
  }
}
