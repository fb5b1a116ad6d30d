package dev.rainbarrel.bench.net;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Alternates rounds of our samplers and of ruby-raindrops on the same listeners, so that both see
 * the same background load (the benchmark machine is shared), and prints the median time per
 * sample of each case over the rounds.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * dev.rainbarrel.bench.net.HeadToHead ROUNDS "q1;q2;q3;q4" "l1;l2;l3;l4" ["s1;s2;s3;s4"]}: quiet
 * listeners, loaded listeners, and optionally a "split" group whose four listeners together own as
 * many connections as one loaded listener (a 4-address sample against a 1-address sample with the
 * same answer).
 */
public final class HeadToHead {

  private static final String RUBY =
      "require 'raindrops'\n"
          + "sock = Raindrops::InetDiagSocket.new\n"
          + "def t(n); yield; s = Process.clock_gettime(Process::CLOCK_MONOTONIC);"
          + " n.times { yield }; (Process.clock_gettime(Process::CLOCK_MONOTONIC) - s) / n * 1e6; end\n"
          + "{'quiet' => ARGV[0], 'load' => ARGV[1], 'split' => ARGV[2]}.each do |name, list|\n"
          + "  next if list.nil?\n"
          + "  a = list.split(';')\n"
          + "  puts \"raindrops #{name} 1 #{t(10) { Raindrops::Linux.tcp_listener_stats([a[0]], sock) }}\"\n"
          + "  puts \"raindrops #{name} 4 #{t(3) { Raindrops::Linux.tcp_listener_stats(a, sock) }}\"\n"
          + "end\n";

  private HeadToHead() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    Map<String, List<ListenAddress>> groups = new LinkedHashMap<>();
    groups.put("quiet", parse(args[1]));
    groups.put("load", parse(args[2]));
    if (args.length > 3) {
      groups.put("split", parse(args[3]));
    }
    Map<String, List<Double>> results = new LinkedHashMap<>();
    try (ListenerSampler netlink = ListenerSampler.open();
        ListenerSampler proc = ListenerSampler.openProc()) {
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, List<ListenAddress>> g : groups.entrySet()) {
          List<ListenAddress> four = g.getValue();
          List<ListenAddress> one = four.subList(0, 1);
          add(results, "netlink " + g.getKey() + " 1", time(netlink, one, r == 0 ? 50 : 10, 10));
          add(results, "netlink " + g.getKey() + " 4", time(netlink, four, r == 0 ? 50 : 10, 10));
          add(results, "proc    " + g.getKey() + " 1", time(proc, one, 1, 3));
          add(results, "proc    " + g.getKey() + " 4", time(proc, four, 1, 3));
        }
        List<String> ruby = new ArrayList<>(List.of("ruby", "-e", RUBY));
        ruby.addAll(List.of(args).subList(1, args.length));
        Process p = new ProcessBuilder(ruby).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("ruby failed: " + out.toString(StandardCharsets.UTF_8));
        }
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
          String[] f = line.trim().split(" ");
          add(results, String.format("%-7s %s %s", f[0], f[1], f[2]), Double.parseDouble(f[3]));
        }
      }
    }
    System.out.printf("%-20s %12s %12s %12s   (us per sample, %d rounds)%n", "case", "median", "min",
        "max", rounds);
    for (Map.Entry<String, List<Double>> e : results.entrySet()) {
      double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf("%-20s %12.1f %12.1f %12.1f%n", e.getKey(), v[v.length / 2], v[0],
          v[v.length - 1]);
    }
  }

  private static List<ListenAddress> parse(String list) {
    List<ListenAddress> out = new ArrayList<>();
    for (String a : list.split(";")) {
      out.add(ListenAddress.parse(a));
    }
    return out;
  }

  private static void add(Map<String, List<Double>> m, String key, double v) {
    m.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
  }

  private static double time(ListenerSampler s, List<ListenAddress> q, int warm, int n)
      throws Exception {
    for (int i = 0; i < warm; i++) {
      s.sample(q);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      s.sample(q);
    }
    return (System.nanoTime() - t0) / 1e3 / n;
  }

}
