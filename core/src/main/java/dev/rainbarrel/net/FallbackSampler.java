package dev.rainbarrel.net;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Uses the netlink sampler while it works. A sample whose netlink dump fails is answered from
 * {@code /proc}; after {@value #MAX_FAILURES} failures in a row (for example a seccomp filter
 * refusing {@code sendto} on netlink sockets) netlink is closed and {@code /proc} answers from
 * then on, while a lone failure (a receive timeout on an overloaded host) does not cost netlink.
 */
final class FallbackSampler implements ListenerSampler {


  static final int MAX_FAILURES = 3;

  private ListenerSampler primary; // null once given up
  private int failures; // consecutive
  private final ProcListenerSampler proc = new ProcListenerSampler();
  private String reason;
  private StatsSource last;

  FallbackSampler(ListenerSampler primary, String reason) {
    this.primary = primary;
    this.reason = reason;
    this.last = primary != null ? primary.source() : StatsSource.PROC;
  }

  private interface Call {
    Map<String, ListenerStats> on(ListenerSampler s) throws IOException;
  }

  private Map<String, ListenerStats> run(Call call) throws IOException {
    if (primary != null) {
      try {
        Map<String, ListenerStats> m = call.on(primary);
        last = primary.source();
        failures = 0;
        reason = null;
        return m;
      } catch (IOException | RuntimeException e) {
        if (e instanceof IllegalArgumentException) {
          throw e;
        }
        if (++failures >= MAX_FAILURES) {
          reason = "netlink failed " + failures + " times in a row, using /proc from now on: "
              + NativeNet.describe(e);
          // stderr, not System.Logger: its default backend is java.util.logging, and starting JUL from
          // the agent before WildFly installs its LogManager breaks the container's logging.
          System.err.println("rainbarrel: " + reason);
          primary.close();
          primary = null;
        } else {
          reason = "netlink failed, this sample came from /proc: " + NativeNet.describe(e);
        }
      }
    }
    last = StatsSource.PROC;
    return call.on(proc);
  }

  @Override
  public Map<String, ListenerStats> sample(List<ListenAddress> addresses) throws IOException {
    return run(s -> s.sample(addresses));
  }

  @Override
  public Map<String, ListenerStats> sampleQueues(List<ListenAddress> addresses) throws IOException {
    return run(s -> s.sampleQueues(addresses));
  }

  @Override
  public Map<String, ListenerStats> sampleQueuesAfterListing(List<ListenAddress> addresses)
      throws IOException {
    return run(s -> s.sampleQueuesAfterListing(addresses));
  }

  @Override
  public Map<String, ListenerStats> sampleAllTcp() throws IOException {
    return run(ListenerSampler::sampleAllTcp);
  }

  @Override
  public Map<String, ListenerStats> sampleAll() throws IOException {
    return run(ListenerSampler::sampleAll);
  }

  /** The netlink sampler while it is in use, else null (tests inspect it). */
  @Override
  public Map<Long, ListenAddress> listeningSockets() throws IOException {
    if (primary != null) {
      try {
        Map<Long, ListenAddress> m = primary.listeningSockets();
        last = primary.source();
        return m;
      } catch (IOException | RuntimeException e) {
        reason = "netlink failed, using /proc from now on: " + NativeNet.describe(e);
        System.err.println("rainbarrel: " + reason);
        primary.close();
        primary = null;
      }
    }
    last = StatsSource.PROC;
    return proc.listeningSockets();
  }

  ListenerSampler primary() {
    return primary;
  }

  @Override
  public StatsSource source() {
    return last;
  }

  @Override
  public String fallbackReason() {
    return reason;
  }

  /**
   * As {@link ListenerSampler#jniUnavailableReason()}; when the library loaded but netlink does
   * not answer (the kernel refused its socket, or it failed and was given up), why.
   */
  @Override
  public String jniUnavailableReason() {
    String why = SockDiagJni.unavailableReason();
    if (why == null && primary == null) {
      return reason != null ? reason : "netlink is not in use";
    }
    return why;
  }

  @Override
  public void close() {
    if (primary != null) {
      primary.close();
    }
  }
}
