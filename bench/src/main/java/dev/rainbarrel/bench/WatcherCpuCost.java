package dev.rainbarrel.bench;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherConfig;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CPU time (user + system, from {@link ThreadMXBean}) of one watcher round, the figure the 0.1 %
 * target is about: wall-clock time on a loaded machine includes waiting for a CPU, CPU time does
 * not. Two loopback listeners, four queued connections, a Barrel; optionally {@code N} more
 * established loopback connections held by {@link dev.rainbarrel.bench.net.ConnectionHolder}
 * child JVMs (a busy host: counting {@code active} walks every connection).
 *
 * <p>Rounds run back to back; the watcher spaces the rounds that count {@code active} by rounds
 * (not wall time), so the average CPU per round is what it costs at the default 1 s interval.
 * Each listener mode ({@code discover}, {@code configured}) runs with the default CPU budget
 * ({@code budget}: what the agent does) and with {@code active} counted every round ({@code
 * every-round}: the behaviour before the budget, and raindrops'). All four cases run once to
 * warm up before any is timed. Each line also splits the timed rounds by kind: the mean CPU of a
 * queue round ({@code queued}/{@code backlog} only) and of a full round ({@code active} too), which
 * the schedule's average hides (it spaces full rounds by their cost).
 *
 * <p>{@code -DownConnections=N} also holds N connections inside this process (a server's own
 * keep-alive connections: 2N descriptors, which discovery on {@code /proc} reads). {@code
 * -DrealSeconds=N} then also runs the watcher on its own thread at the real interval for N
 * seconds and reports its thread's CPU share, which includes what is spaced in wall time.
 *
 * <pre>java [--enable-native-access=ALL-UNNAMED] [-DownConnections=N] [-DrealSeconds=N] -cp bench/target/benchmarks.jar \
 *     dev.rainbarrel.bench.WatcherCpuCost [rounds [hostConnections]]</pre>
 */
public final class WatcherCpuCost {

  /** Connections per holder JVM: two descriptors each, under a 20 000 descriptor limit. */
  private static final int PER_HOLDER = 9000;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    List<Process> holders = startHolders(connections);
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    Path dir = Files.createTempDirectory("rb-cpu");
    System.out.printf("# java %s, %d rounds, %d host connections held by %d child JVMs%n",
        Runtime.version(), rounds, connections, holders.size());
    String jni = ListenerSampler.jniReason();
    System.out.println("# netlink through the JNI library (JDK 17-21): "
        + (jni == null ? "yes" : "no (" + jni + ")"));
    try (ServerSocket s1 = new ServerSocket(0, 64, lo);
        ServerSocket s2 = new ServerSocket(0, 64, lo);
        Barrel barrel = Barrel.open(dir.resolve("cpu.barrel"))) {
      List<Socket> clients = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        clients.add(new Socket(lo, s1.getLocalPort()));
      }
      List<Closeable> own = holdOwnConnections(Integer.getInteger("ownConnections", 0));
      // Two passes over the four cases, the first only to warm up. Measured in one pass, the first
      // case also paid for warming the code all of them share (sampling, the Barrel writes):
      // 170-230 us of user time per round more than the same case measured after the others.
      // -Dmodes=configured,discover changes the order.
      String[] modes = System.getProperty("modes", "discover,configured").split(",");
      for (boolean print : new boolean[] {false, true}) {
        for (String mode : modes) {
          for (String budget : new String[] {"budget", "every-round"}) {
            runCase(barrel, s1, s2, mode, budget, rounds, print);
          }
        }
      }
      int real = Integer.getInteger("realSeconds", 0);
      if (real > 0) {
        runAtRealInterval(barrel, s1, real);
      }
      for (Socket s : clients) {
        s.close();
      }
      for (Closeable c : own) {
        c.close();
      }
    } finally {
      Files.deleteIfExists(dir.resolve("cpu.barrel"));
      Files.deleteIfExists(dir);
      for (Process p : holders) {
        p.getOutputStream().close(); // the holder exits when its stdin closes
      }
      for (Process p : holders) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  /** One case: a watcher in {@code mode} with {@code budget}, warmed up, then timed over {@code rounds}. */
  private static void runCase(Barrel barrel, ServerSocket s1, ServerSocket s2, String mode, String budget,
      int rounds, boolean print) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    WatcherConfig c = WatcherConfig.defaults();
    if (mode.equals("configured")) {
      c = c.withListeners(List.of(ListenAddress.parse("127.0.0.1:" + s1.getLocalPort()),
          ListenAddress.parse("127.0.0.1:" + s2.getLocalPort())));
    }
    if (budget.equals("every-round")) {
      c = c.withActiveEveryRound();
    }
    try (Watcher w = Watcher.create(barrel, c)) {
      for (int i = 0; i < Math.max(50, rounds / 2); i++) {
        w.sampleOnce(); // warm-up
      }
      long full0 = w.activeRounds();
      long cpu0 = threads.getCurrentThreadCpuTime();
      long user0 = threads.getCurrentThreadUserTime();
      long wall0 = System.nanoTime();
      long queueCpu = 0; // the rounds split by kind: what each costs, whatever the schedule
      long fullCpu = 0;
      for (int i = 0; i < rounds; i++) {
        long fulls = w.activeRounds();
        long r = threads.getCurrentThreadCpuTime();
        w.sampleOnce();
        r = threads.getCurrentThreadCpuTime() - r;
        if (w.activeRounds() != fulls) {
          fullCpu += r;
        } else {
          queueCpu += r;
        }
      }
      long cpu = (threads.getCurrentThreadCpuTime() - cpu0) / rounds;
      long user = (threads.getCurrentThreadUserTime() - user0) / rounds;
      long wall = (System.nanoTime() - wall0) / rounds;
      if (w.listener("127.0.0.1:" + s1.getLocalPort()).queued() != 4) {
        throw new IllegalStateException("watcher does not see the 4 queued connections: " + w);
      }
      if (!print) {
        return;
      }
      System.out.printf("%-10s %-11s source=%-7s listeners=%d cpu=%6d us/round (user %5d, sys %6d)"
              + " wall=%6d us  active counted in %4d of %d rounds (every %5d ms)"
              + " -> %.3f %% of one core at a 1 s interval;"
              + " queue round %s us, full round %s us%n",
          mode, budget, w.source(), w.listeners().size(), cpu / 1000, user / 1000,
          (cpu - user) / 1000, wall / 1000, w.activeRounds() - full0, rounds,
          w.activePeriodMillis(), cpu / 1e9 * 100,
          perRound(queueCpu, rounds - (w.activeRounds() - full0)),
          perRound(fullCpu, w.activeRounds() - full0));
    }
  }

  /**
   * {@code -DrealSeconds=N}: the agent's watcher as it runs (its own thread, discovering, the
   * default 1 s interval) for N seconds; its thread's CPU time over that wall time. Unlike the
   * back-to-back rounds above this includes what is spaced in wall time, such as discovery's
   * listings of {@code /proc/self/fd}.
   */
  private static void runAtRealInterval(Barrel barrel, ServerSocket s1, int seconds) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (Watcher w = Watcher.start(barrel, WatcherConfig.defaults())) {
      long id = -1;
      for (int i = 0; i < 100 && id < 0; i++) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
          if (t.getName().equals(Watcher.THREAD_NAME)) {
            id = t.getId();
          }
        }
        Thread.sleep(10);
      }
      if (id < 0) {
        throw new IllegalStateException("no " + Watcher.THREAD_NAME + " thread");
      }
      Thread.sleep(3000); // its first rounds: start-up, first listing, first full sample
      long rounds0 = w.rounds();
      long active0 = w.activeRounds();
      long cpu0 = threads.getThreadCpuTime(id);
      long wall0 = System.nanoTime();
      // each round's own CPU as the watcher measured it, split by kind (polled between rounds)
      long seen = w.rounds();
      long seenActive = w.activeRounds();
      long queueCpu = 0, queueRounds = 0, fullCpu = 0, fullRounds = 0;
      long end = wall0 + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        Thread.sleep(100);
        long r = w.rounds();
        if (r == seen + 1) { // exactly one new round: its figure is the one just read
          if (w.activeRounds() != seenActive) {
            fullCpu += w.lastRoundCpuNanos();
            fullRounds++;
          } else {
            queueCpu += w.lastRoundCpuNanos();
            queueRounds++;
          }
        }
        seen = r;
        seenActive = w.activeRounds();
      }
      long cpu = threads.getThreadCpuTime(id) - cpu0;
      long wall = System.nanoTime() - wall0;
      System.out.printf("real-interval rounds as the watcher measured them: queue %s us (%d), full %s us (%d)%n",
          perRound(queueCpu, queueRounds), queueRounds, perRound(fullCpu, fullRounds), fullRounds);
      if (w.listener("127.0.0.1:" + s1.getLocalPort()).queued() != 4) {
        throw new IllegalStateException("watcher does not see the 4 queued connections: " + w);
      }
      System.out.printf("real-interval discover: %d rounds in %d s, active counted in %d, cpu %d us"
              + " -> %.3f %% of one core%n", w.rounds() - rounds0, wall / 1_000_000_000L,
          w.activeRounds() - active0, cpu / 1000, 100.0 * cpu / wall);
    }
  }

  private static String perRound(long cpuNanos, long rounds) {
    return rounds == 0 ? "-" : Long.toString(cpuNanos / rounds / 1000);
  }

  /**
   * {@code -DownConnections=N}: N established loopback connections with both ends in this
   * process (2N descriptors), as a server holding N keep-alive connections has them; their
   * listener is not watched. Discovery on {@code /proc} reads this process's descriptors.
   */
  private static List<Closeable> holdOwnConnections(int n) throws Exception {
    List<Closeable> out = new ArrayList<>();
    if (n <= 0) {
      return out;
    }
    ServerSocketChannel l = ServerSocketChannel.open();
    out.add(l);
    l.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1024);
    for (int i = 0; i < n; i++) {
      out.add(SocketChannel.open(l.getLocalAddress()));
      out.add(l.accept());
    }
    System.out.printf("# %d own connections (%d descriptors)%n", n, 2 * n);
    return out;
  }

  /** Starts holder JVMs sharing {@code connections} established loopback connections. */
  private static List<Process> startHolders(int connections) throws Exception {
    List<Process> out = new ArrayList<>();
    if (connections <= 0) {
      return out;
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    int n = (connections + PER_HOLDER - 1) / PER_HOLDER;
    int per = (connections + n - 1) / n;
    try {
      for (int i = 0; i < n; i++) {
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-cp", cp,
            "dev.rainbarrel.bench.net.ConnectionHolder", "1", Integer.toString(per), "0");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        out.add(pb.start());
      }
      for (Process p : out) {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String line = r.readLine(); // blocks until READY (or the holder died: null)
        if (line == null || !line.startsWith("READY ")) {
          throw new IllegalStateException("connection holder did not start: " + line
              + " (descriptor limit? ulimit -n is per process; " + per + " connections need "
              + (2 * per + 100) + ")");
        }
      }
    } catch (Exception e) {
      for (Process p : out) {
        p.destroyForcibly();
      }
      throw e;
    }
    return out;
  }

  private WatcherCpuCost() {}
}
