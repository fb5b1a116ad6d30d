package dev.rainbarrel.agent;

import dev.rainbarrel.bootstrap.Sink;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.Counter;
import dev.rainbarrel.shm.Gauge;
import dev.rainbarrel.stats.LogLinearHistogram;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes what the instrumentation sees into the {@link Barrel}: the only class of the agent that
 * touches the counters. {@code calling} and {@code writing} are gauges (this process's slot, so a
 * crashed JVM never leaves them inflated in a shared file); the totals are counters.
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
 * Hot-path methods allocate nothing: each is one or two atomic adds on mapped memory.
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

  private final Barrel barrel;
  private final Counter accepted;
  private final Counter requests;
  private final Counter errors;
  private final Counter[] statusClasses = new Counter[5];
  private final Gauge calling;
  private final Gauge writing;
  private final LogLinearHistogram requestDuration;
  private volatile ConnectionObserver connectionObserver = NO_CONNECTION_OBSERVER;
  private volatile RequestObserver requestObserver = NO_REQUEST_OBSERVER;
  private volatile int[] ignoredPorts = new int[0];

  Recorder(Barrel barrel) {
    this.barrel = barrel;
    this.accepted = barrel.counter("accepted");
    this.requests = barrel.counter("requests");
    this.errors = barrel.counter("errors");
    for (int i = 0; i < 5; i++) {
      statusClasses[i] = barrel.counter("responses_" + (i + 1) + "xx");
    }
    this.calling = barrel.gauge("calling");
    this.writing = barrel.gauge("writing");
    this.requestDuration = barrel.histogram("request_duration");
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
    calling.increment();
  }

  @Override
  public void handlerExited() {
    calling.decrement();
  }

  @Override
  public void committed() {
    writing.increment();
  }

  @Override
  public void completed(int status, boolean error, boolean wasCommitted, long durationNanos) {
    if (wasCommitted) {
      writing.decrement();
    }
    requests.increment();
    int cls = status / 100;
    if (cls >= 1 && cls <= 5) {
      statusClasses[cls - 1].increment();
    }
    if (error) {
      errors.increment();
    }
    requestDuration.record(durationNanos / 1000); // µs, allocation-free
    requestObserver.completed(status, error, durationNanos);
  }
}
