package dev.rainbarrel.bench;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelSlot;
import dev.rainbarrel.shm.Counter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Counter increments from separate processes on one shared Barrel file (issue 8: "2 processes on
 * one counter and on neighbouring counters"), which JMH's threads cannot show: child JVMs map the
 * same file and increment
 *
 * <ul>
 *   <li>{@code 1 process}: one child alone on one counter (the baseline);
 *   <li>{@code 2 processes, same counter}: both children on one counter (one cache line bounces
 *       between the cores);
 *   <li>{@code 2 processes, neighbouring counters}: each child on its own counter, the two in
 *       adjacent slots of the file (the padding must keep them off one cache line).
 * </ul>
 *
 * Each child warms up on a counter of its own, reports READY, waits for GO (so both start
 * together), increments {@code count} times and prints its ns per increment. The parent then
 * checks that every counter holds exactly what was added. Cases alternate over {@code rounds};
 * the median per case and process is printed.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.rainbarrel.bench.CounterProcesses [rounds [count]]</pre>
 */
public final class CounterProcesses {

  private static final String[] CASES = {"1 process", "2 processes, same counter",
      "2 processes, neighbouring counters"};

  private CounterProcesses() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("child")) {
      child(Path.of(args[1]), args[2], args[3], Long.parseLong(args[4]));
      return;
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    long count = args.length > 1 ? Long.parseLong(args[1]) : 50_000_000L;
    Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of("/tmp");
    Path dir = Files.createTempDirectory(base, "rb-procs");
    Path file = dir.resolve("procs.barrel");
    System.out.printf("# java %s, %d rounds, %d increments per process, file %s%n",
        Runtime.version(), rounds, count, file);
    Map<String, List<Double>> results = new LinkedHashMap<>();
    try (Barrel barrel = Barrel.open(file)) {
      // create every counter now, in this order, so that the neighbours are adjacent slots
      for (String n : new String[] {"warmup-0", "warmup-1", "alone", "shared", "neighbour-0", "neighbour-1"}) {
        barrel.counter(n);
      }
      printSlots(barrel);
      for (int r = 0; r < rounds; r++) {
        for (String c : CASES) {
          String[][] plan = switch (c) {
            case "1 process" -> new String[][] {{"alone", "warmup-0"}};
            case "2 processes, same counter" -> new String[][] {{"shared", "warmup-0"}, {"shared", "warmup-1"}};
            default -> new String[][] {{"neighbour-0", "warmup-0"}, {"neighbour-1", "warmup-1"}};
          };
          Map<String, Long> before = new LinkedHashMap<>();
          for (String[] p : plan) {
            before.put(p[0], barrel.counter(p[0]).get());
          }
          double[] ns = run(file, plan, count);
          for (int i = 0; i < ns.length; i++) {
            results.computeIfAbsent(c + "\t" + (i + 1), k -> new ArrayList<>()).add(ns[i]);
          }
          for (Map.Entry<String, Long> e : before.entrySet()) {
            long per = 0;
            for (String[] p : plan) {
              per += p[0].equals(e.getKey()) ? count : 0;
            }
            long got = barrel.counter(e.getKey()).get() - e.getValue();
            if (got != per) {
              throw new IllegalStateException(c + ": counter " + e.getKey() + " rose by " + got
                  + ", expected exactly " + per + " (lost or extra increments)");
            }
          }
        }
      }
      System.out.println("# every counter held exactly the increments made (checked after each case)");
      System.out.printf("%-36s %-8s %10s %10s %10s%n", "case", "process", "median", "min", "max");
      for (Map.Entry<String, List<Double>> e : results.entrySet()) {
        double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
        String[] k = e.getKey().split("\t");
        System.out.printf("%-36s %-8s %10.2f %10.2f %10.2f   ns/increment%n", k[0], k[1],
            v[v.length / 2], v[0], v[v.length - 1]);
      }
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  private static void printSlots(Barrel barrel) throws Exception {
    StringBuilder sb = new StringBuilder("# slots:");
    for (BarrelSlot s : barrel.slots()) {
      sb.append(' ').append(s.name()).append('=').append(s.number());
    }
    System.out.println(sb);
  }

  /** Starts one child per plan entry, releases them together, returns their ns per increment. */
  private static double[] run(Path file, String[][] plan, long count) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    List<Process> children = new ArrayList<>();
    List<BufferedReader> outs = new ArrayList<>();
    try {
      for (String[] p : plan) {
        Process pr = new ProcessBuilder(java, "-Xmx64m", "-cp", cp, CounterProcesses.class.getName(),
            "child", file.toString(), p[0], p[1], Long.toString(count))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(pr);
        outs.add(new BufferedReader(new InputStreamReader(pr.getInputStream(), StandardCharsets.US_ASCII)));
      }
      for (BufferedReader r : outs) {
        String line = r.readLine();
        if (!"READY".equals(line)) {
          throw new IllegalStateException("child did not get ready: " + line);
        }
      }
      for (Process pr : children) {
        OutputStream o = pr.getOutputStream();
        o.write("GO\n".getBytes(StandardCharsets.US_ASCII));
        o.flush();
      }
      double[] ns = new double[plan.length];
      for (int i = 0; i < plan.length; i++) {
        String line = outs.get(i).readLine();
        if (line == null || !line.startsWith("NS ")) {
          throw new IllegalStateException("child " + i + " failed: " + line);
        }
        ns[i] = Double.parseDouble(line.substring(3));
      }
      for (Process pr : children) {
        if (!pr.waitFor(60, TimeUnit.SECONDS) || pr.exitValue() != 0) {
          throw new IllegalStateException("child did not exit cleanly");
        }
      }
      return ns;
    } finally {
      for (Process pr : children) {
        pr.destroyForcibly();
      }
    }
  }

  private static void child(Path file, String name, String warmupName, long count) throws Exception {
    try (Barrel barrel = Barrel.open(file)) {
      Counter warm = barrel.counter(warmupName);
      Counter c = barrel.counter(name);
      long sink = 0;
      for (int i = 0; i < 20; i++) {
        sink += loop(warm, 1_000_000L); // compiles loop() before the measured call
      }
      System.out.println("READY");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
      if (!"GO".equals(in.readLine())) {
        throw new IllegalStateException("no GO from the parent");
      }
      long t0 = System.nanoTime();
      sink += loop(c, count);
      long t = System.nanoTime() - t0;
      System.out.println("NS " + (double) t / count);
      if (sink == 42) {
        System.out.println("#"); // keeps the sums alive
      }
    }
  }

  private static long loop(Counter c, long n) {
    long sink = 0;
    for (long i = 0; i < n; i++) {
      sink += c.increment();
    }
    return sink;
  }
}
