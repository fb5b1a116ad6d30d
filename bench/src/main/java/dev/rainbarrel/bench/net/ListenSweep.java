package dev.rainbarrel.bench.net;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.StatsSource;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One point of {@code bench/listen-sweep.sh}: the time of one sample of 1 and of 4 addresses on a
 * host holding a given number of connections, for every way we have (netlink full and queue-only,
 * the {@code /proc} parser full and listening-section-only) and for ruby-raindrops. Rounds
 * alternate between the cases so that all of them see the same background load; each case's
 * median over the rounds is printed as one TSV line:
 *
 * <pre>connections  case  addresses  median_us  min_us  max_us  cpu_median_us</pre>
 *
 * ({@code cpu_median_us}: CPU time per sample, user + system: this thread's, or the ruby process's,
 * which on a loaded machine is the figure to compare; wall time includes waiting for a core). Usage: {@code java
 * --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.rainbarrel.bench.net.ListenSweep
 * ROUNDS CONNECTIONS "a1;a2;a3;a4" [noruby]}
 */
public final class ListenSweep {

  private static final String RUBY =
      "require 'raindrops'\n"
          + "sock = Raindrops::InetDiagSocket.new\n"
          + "def t(n); yield; s = Process.clock_gettime(Process::CLOCK_MONOTONIC);"
          + " c = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID); n.times { yield };"
          + " [(Process.clock_gettime(Process::CLOCK_MONOTONIC) - s) / n * 1e6,"
          + " (Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID) - c) / n * 1e6].join(' '); end\n"
          + "a = ARGV[0].split(';')\n"
          + "puts \"1 #{t(10) { Raindrops::Linux.tcp_listener_stats([a[0]], sock) }}\"\n"
          + "puts \"4 #{t(3) { Raindrops::Linux.tcp_listener_stats(a, sock) }}\"\n";

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ListenSweep() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: ListenSweep ROUNDS CONNECTIONS \"a1;a2;a3;a4\" [noruby]");
      System.exit(2);
    }
    int rounds = Integer.parseInt(args[0]);
    String conns = args[1];
    List<ListenAddress> four = new ArrayList<>();
    for (String a : args[2].split(";")) {
      four.add(ListenAddress.parse(a));
    }
    if (four.size() != 4) {
      throw new IllegalArgumentException("need exactly 4 addresses, got " + args[2]);
    }
    boolean ruby = args.length < 4 || !args[3].equals("noruby");
    List<ListenAddress> one = four.subList(0, 1);
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    try (ListenerSampler netlink = ListenerSampler.open();
        ListenerSampler proc = ListenerSampler.openProc()) {
      boolean haveNetlink = netlink.source() == StatsSource.NETLINK;
      if (!haveNetlink) {
        System.err.println("# netlink unavailable (" + ListenerSampler.netlinkUnavailableReason()
            + "): netlink cases skipped");
      }
      for (int r = 0; r < rounds; r++) {
        int warm = r == 0 ? 20 : 3;
        if (haveNetlink) {
          add(results, "netlink", 1, time(netlink, one, false, warm, 10));
          add(results, "netlink", 4, time(netlink, four, false, warm, 10));
          add(results, "netlink-queues", 1, time(netlink, one, true, warm, 10));
          add(results, "netlink-queues", 4, time(netlink, four, true, warm, 10));
        }
        add(results, "proc", 1, time(proc, one, false, 1, 3));
        add(results, "proc", 4, time(proc, four, false, 1, 3));
        add(results, "proc-queues", 1, time(proc, one, true, 2, 5));
        add(results, "proc-queues", 4, time(proc, four, true, 2, 5));
        if (ruby) {
          Process p = new ProcessBuilder("ruby", "-e", RUBY, args[2]).redirectErrorStream(true).start();
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          p.getInputStream().transferTo(out);
          if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("ruby failed: " + out.toString(StandardCharsets.UTF_8));
          }
          for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.trim().split(" ");
            add(results, "raindrops", Integer.parseInt(f[0]),
                new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
          }
        }
      }
    }
    for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
      List<double[]> v = e.getValue();
      double[] wall = v.stream().mapToDouble(x -> x[0]).sorted().toArray();
      double[] cpu = v.stream().mapToDouble(x -> x[1]).sorted().toArray();
      String[] k = e.getKey().split(" ");
      System.out.printf("%s\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f%n", conns, k[0], k[1], wall[wall.length / 2],
          wall[0], wall[wall.length - 1], cpu[cpu.length / 2]);
    }
  }

  private static void add(Map<String, List<double[]>> m, String kind, int n, double[] v) {
    m.computeIfAbsent(kind + " " + n, k -> new ArrayList<>()).add(v);
  }

  /** Wall and CPU microseconds per sample. */
  private static double[] time(ListenerSampler s, List<ListenAddress> q, boolean queues, int warm, int n)
      throws Exception {
    for (int i = 0; i < warm; i++) {
      sample(s, q, queues);
    }
    long c0 = THREADS.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      sample(s, q, queues);
    }
    return new double[] {(System.nanoTime() - t0) / 1e3 / n,
        (THREADS.getCurrentThreadCpuTime() - c0) / 1e3 / n};
  }

  private static void sample(ListenerSampler s, List<ListenAddress> q, boolean queues) throws Exception {
    if (queues) {
      s.sampleQueues(q);
    } else {
      s.sample(q);
    }
  }
}
