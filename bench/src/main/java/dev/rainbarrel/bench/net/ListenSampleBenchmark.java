package dev.rainbarrel.bench.net;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.ListenerStats;
import dev.rainbarrel.net.StatsSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one listen-stats sample of 1 and of 4 addresses, via netlink and via the {@code /proc}
 * parser, while the host holds many sockets (created by bench/listen-scale.sh through {@link
 * ConnectionHolder} processes, whose listener addresses arrive in {@code addrs}). Without {@code
 * addrs} it opens 4 idle listeners itself.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ListenSampleBenchmark {

  /** Semicolon-separated listener addresses (4 are used); empty = open our own. */
  @Param("")
  public String addrs;

  private final List<ServerSocketChannel> own = new ArrayList<>();
  private ListenerSampler netlink;
  private ListenerSampler proc;
  private List<ListenAddress> one;
  private List<ListenAddress> four;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    List<String> list = new ArrayList<>();
    if (addrs.isEmpty()) {
      for (int i = 0; i < 4; i++) {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        own.add(s);
        list.add("127.0.0.1:" + ((InetSocketAddress) s.getLocalAddress()).getPort());
      }
    } else {
      list.addAll(List.of(addrs.split(";"))); // JMH itself splits -p values on commas
    }
    four = new ArrayList<>();
    for (String a : list.subList(0, 4)) {
      four.add(ListenAddress.parse(a));
    }
    one = List.of(four.get(0));
    netlink = ListenerSampler.open();
    if (netlink.source() != StatsSource.NETLINK) {
      throw new IllegalStateException("netlink unavailable: " + netlink.fallbackReason());
    }
    proc = ListenerSampler.openProc();
    System.err.println("sample of 4 via netlink: " + netlink.sample(four));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    netlink.close();
    proc.close();
    for (ServerSocketChannel s : own) {
      s.close();
    }
  }

  @Benchmark
  public Map<String, ListenerStats> netlink1() throws IOException {
    return netlink.sample(one);
  }

  @Benchmark
  public Map<String, ListenerStats> netlink4() throws IOException {
    return netlink.sample(four);
  }

  @Benchmark
  public Map<String, ListenerStats> proc1() throws IOException {
    return proc.sample(one);
  }

  @Benchmark
  public Map<String, ListenerStats> proc4() throws IOException {
    return proc.sample(four);
  }

  @Benchmark
  public Map<String, ListenerStats> netlinkAllTcp() throws IOException {
    return netlink.sampleAllTcp();
  }
}
