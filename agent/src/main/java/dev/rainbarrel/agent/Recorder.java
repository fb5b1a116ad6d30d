package dev.rainbarrel.agent;

import dev.rainbarrel.bootstrap.Sink;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.Counter;
import dev.rainbarrel.shm.ThreadCells;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes what the instrumentation sees into the {@link Barrel}: the only class of the agent that
 * touches the counters. {@code calling} and {@code writing} are gauges (this process's records, so
 * a crashed JVM never leaves them inflated in a shared file); the totals are counters.
 *
 * <p>The per-request figures ({@code calling}, {@code writing}, {@code requests}, {@code
 * responses_1xx..5xx}, {@code errors} and the {@code request_duration} histogram) go through
 * {@link ThreadCells}: each platform thread writes its own cells with plain stores, no locked
 * instruction and no cache line shared with another core; readers add the cells up, so every
 * reader sees the same totals as before. A thread's first event leases its row (one hold of the
 * file lock, well under a millisecond, once per thread); virtual threads, and threads that could
 * not get a row, use atomic adds on the shared records. {@code accepted} stays a shared atomic
 * counter (acceptor threads are few).
 *
 * <p>Integration points for the parts that arrive from other branches:
 *
 * <ul>
 *   <li>{@link ConnectionObserver}: every accepted connection is handed over ({@code accept_wait}
 *       histogram from {@code TCP_INFO.last_data_recv});
 *   <li>{@link RequestObserver}: every completed request with its duration, for anything beyond
 *       the {@code request_duration} histogram (µs) that the recorder keeps itself.
 * </ul>
 *
 * Hot-path methods allocate nothing: a lookup of the thread's row (by thread id) and plain writes
 * to its cells in mapped memory.
 */
public final class Recorder implements Sink {

  /** Receives each accepted connection (hook point for TCP_INFO / accept_wait). */
  @FunctionalInterface
  public interface ConnectionObserver {
    /**
     * @param connection a {@code java.nio.channels.SocketChannel}, a {@code java.net.SocketImpl},
     *     a file descriptor as an {@code Integer} (Netty epoll) or a server-specific channel object;
     *     must not be retained
     */
    void accepted(Object connection);
  }

  /** Receives each completed request (hook point for the request_duration histogram). */
  @FunctionalInterface
  public interface RequestObserver {
    void completed(int status, boolean error, long durationNanos);
  }

  private static final ConnectionObserver NO_CONNECTION_OBSERVER = c -> {};
  private static final RequestObserver NO_REQUEST_OBSERVER = (s, e, d) -> {};

  // cell indexes in CELLS: counters first, then gauges (ThreadCells.cell)
  private static final int REQUESTS = 0;
  private static final int ERRORS = 1;
  private static final int RESPONSES_1XX = 2; // .. RESPONSES_1XX + 4 = responses_5xx
  private static final int CALLING = 7;
  private static final int WRITING = 8;
  private static final List<String> COUNTERS = List.of("requests", "errors",
      "responses_1xx", "responses_2xx", "responses_3xx", "responses_4xx", "responses_5xx");
  private static final List<String> GAUGES = List.of("calling", "writing");

  private final Barrel barrel;
  private final Counter accepted;
  private final ThreadCells cells;
  private volatile ConnectionObserver connectionObserver = NO_CONNECTION_OBSERVER;
  private volatile RequestObserver requestObserver = NO_REQUEST_OBSERVER;
  private volatile int[] ignoredPorts = new int[0];

  Recorder(Barrel barrel) {
    this.barrel = barrel;
    this.accepted = barrel.counter("accepted");
    this.cells = ThreadCells.create(barrel, COUNTERS, GAUGES, "request_duration");
    assert cells.cell("requests") == REQUESTS && cells.cell("errors") == ERRORS
        && cells.cell("responses_1xx") == RESPONSES_1XX && cells.cell("responses_5xx") == RESPONSES_1XX + 4
        && cells.cell("calling") == CALLING && cells.cell("writing") == WRITING;
  }

  /** The per-thread cells the per-request figures go to (tests and benchmarks look at them). */
  public ThreadCells cells() {
    return cells;
  }

  /** Opens (or creates) the Barrel at {@code path} and registers every counter the agent writes. */
  public static Recorder open(Path path) throws IOException {
    return new Recorder(Barrel.open(path));
  }

  /** The Barrel this recorder writes to (for the JMX/HTTP/watcher parts). */
  public Barrel barrel() {
    return barrel;
  }

  /** Sets who sees accepted connections (null: nobody). */
  public void setConnectionObserver(ConnectionObserver o) {
    connectionObserver = o == null ? NO_CONNECTION_OBSERVER : o;
  }

  /** Sets who sees completed requests (null: nobody). */
  public void setRequestObserver(RequestObserver o) {
    requestObserver = o == null ? NO_REQUEST_OBSERVER : o;
  }

  /**
   * Local ports whose accepted connections are not counted: the agent's own endpoints, as their
   * requests are not (empty unless {@code http=} or {@code jolokia=} is given).
   */
  public void ignoreConnectionsTo(java.util.Set<Integer> ports) {
    int[] p = new int[ports.size()];
    int i = 0;
    for (int port : ports) {
      p[i++] = port;
    }
    ignoredPorts = p;
  }

  @Override
  public void accepted(Object connection) {
    int[] ignored = ignoredPorts;
    if (ignored.length != 0 && isToPort(connection, ignored)) {
      return;
    }
    accepted.increment();
    connectionObserver.accepted(connection);
  }

  /** Whether {@code connection} is an NIO channel (the JDK HttpServer's kind) accepted on one of {@code ports}. */
  private static boolean isToPort(Object connection, int[] ports) {
    if (connection instanceof java.nio.channels.SocketChannel ch) {
      try {
        if (ch.getLocalAddress() instanceof java.net.InetSocketAddress a) {
          int port = a.getPort();
          for (int p : ports) {
            if (p == port) {
              return true;
            }
          }
        }
      } catch (java.io.IOException | RuntimeException e) {
        return false; // closed already: counted as any other connection
      }
    }
    return false;
  }

  @Override
  public void handlerEntered() {
    cells.row().add(CALLING, 1);
  }

  @Override
  public void handlerExited() {
    cells.row().add(CALLING, -1); // may be another thread's row than the +1's: the sum is right
  }

  @Override
  public void committed() {
    cells.row().add(WRITING, 1);
  }

  @Override
  public void completed(int status, boolean error, boolean wasCommitted, long durationNanos) {
    ThreadCells.Row row = cells.row();
    if (wasCommitted) {
      row.add(WRITING, -1);
    }
    row.add(REQUESTS, 1);
    int cls = status / 100;
    if (cls >= 1 && cls <= 5) {
      row.add(RESPONSES_1XX + cls - 1, 1);
    }
    if (error) {
      row.add(ERRORS, 1);
    }
    row.record(durationNanos / 1000); // µs, allocation-free
    requestObserver.completed(status, error, durationNanos);
  }
}
