package dev.rainbarrel.cli;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.ListenerStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code listen}: raindrops' {@code linux-listener-stats}. One line {@code timestamp address active
 * queued} per address per round, every {@code --delay} seconds; all listeners of the host when no
 * address is given; {@code --json} prints {@code {address: {active, queued, backlog}}} once.
 */
@Command(
    name = "listen",
    mixinStandardHelpOptions = true,
    description = {
      "Listen-queue stats of TCP (ip:port, [ip6]:port) and Unix (/path, @abstract) listeners,"
          + " like raindrops' linux-listener-stats: active = accepted connections being served,"
          + " queued = connections waiting in the accept queue. No address: every listener.",
      "Uses netlink (JDK 22+: run with --enable-native-access=ALL-UNNAMED to avoid the JDK's"
          + " warning; JDK 17-21: through rainbarrel's JNI library), /proc/net where it cannot."
    })
public final class ListenCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print {address: {active, queued, backlog}} once.")
  boolean json;

  @Option(
      names = {"-d", "--delay"},
      paramLabel = "S",
      description = "Repeat every S seconds (fractions allowed) until interrupted.")
  Double delay;

  @Option(
      names = {"-t", "--queued-threshold"},
      paramLabel = "N",
      description = "Only print lines whose queued count is at least N.")
  long queuedThreshold = -1;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "With --delay: stop after N rounds (default: run until interrupted).")
  Long count;

  @Parameters(paramLabel = "ADDR|PATH", description = "ip:port, [ip6]:port, /unix/path or @name.")
  List<String> addresses = new ArrayList<>();

  @Override
  public Integer call() throws IOException, InterruptedException {
    List<ListenAddress> parsed = new ArrayList<>();
    for (String a : addresses) {
      try {
        parsed.add(ListenAddress.parse(a));
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException(e.getMessage());
      }
    }
    if (delay != null && !(delay > 0 && delay < 1e6)) {
      throw new Main.UsageException("--delay must be a positive number of seconds, not " + delay);
    }
    if (count != null && count < 1) {
      throw new Main.UsageException("--count must be at least 1, not " + count);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (ListenerSampler sampler = ListenerSampler.open()) {
      if (!parsed.isEmpty()) {
        warnAboutWildcards(sampler, parsed, err);
      }
      if (json) {
        out.println(toJson(sample(sampler, parsed)));
        out.flush();
        return 0;
      }
      int width = "address".length();
      for (String a : addresses) {
        width = Math.max(width, a.length());
      }
      width = Math.min(width, 35);
      String fmt = "%20s %" + width + "s %10s %10s%n";
      out.printf(fmt, "timestamp", "address", "active", "queued");
      long rounds = 0;
      long periodNanos = delay == null ? 0 : (long) (delay * 1e9);
      long next = System.nanoTime();
      while (true) {
        Map<String, ListenerStats> m = sample(sampler, parsed);
        String now = null;
        for (Map.Entry<String, ListenerStats> e : m.entrySet()) {
          ListenerStats s = e.getValue();
          if (s.queued() < queuedThreshold) {
            continue;
          }
          if (now == null) {
            now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
          }
          out.printf(fmt, now, e.getKey(), s.active(), s.queued());
        }
        out.flush();
        rounds++;
        if (delay == null || (count != null && rounds >= count)) {
          return 0;
        }
        next += periodNanos; // fixed rate, like raindrops' timerfd
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        } else {
          next = System.nanoTime();
        }
      }
    }
  }

  private static Map<String, ListenerStats> sample(
      ListenerSampler sampler, List<ListenAddress> parsed) throws IOException {
    return parsed.isEmpty() ? sampler.sampleAll() : sampler.sample(parsed);
  }

  /** raindrops' hint: a specific address with no listener while the wildcard of its port has one. */
  private static void warnAboutWildcards(
      ListenerSampler sampler, List<ListenAddress> parsed, PrintWriter err) throws IOException {
    List<ListenAddress> probe = new ArrayList<>();
    for (ListenAddress a : parsed) {
      if (a.isTcp() && !a.isWildcard()) {
        probe.add(a);
        probe.add(ListenAddress.parse("0.0.0.0:" + a.port()));
        probe.add(ListenAddress.parse("[::]:" + a.port()));
      }
    }
    if (probe.isEmpty()) {
      return;
    }
    Map<String, ListenerStats> m = sampler.sample(probe);
    for (ListenAddress a : parsed) {
      if (!a.isTcp() || a.isWildcard() || m.get(a.toString()).listening()) {
        continue;
      }
      String any4 = "0.0.0.0:" + a.port();
      String any6 = "[::]:" + a.port();
      String hint = null;
      if (a.kind() == ListenAddress.Kind.TCP4 && m.get(any4).listening()) {
        hint = any4;
      } else if (m.get(any6).listening()) {
        hint = any6;
      }
      if (hint != null) {
        err.println("rainbarrel: warning: no listener on " + a + ". Did you mean " + hint + "?");
      }
    }
    err.flush();
  }

  static String toJson(Map<String, ListenerStats> m) {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, ListenerStats> e : m.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      ListenerStats s = e.getValue();
      quote(sb, e.getKey());
      sb.append(":{\"active\":").append(s.active());
      sb.append(",\"queued\":").append(s.queued());
      sb.append(",\"backlog\":");
      sb.append(s.backlog() == ListenerStats.UNKNOWN ? "null" : Long.toString(s.backlog()));
      sb.append('}');
    }
    return sb.append('}').toString();
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }
}
