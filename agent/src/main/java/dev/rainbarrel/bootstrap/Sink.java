package dev.rainbarrel.bootstrap;

/**
 * Where the {@link Bridge} sends what the instrumented server did. Implemented by the agent's
 * recorder (loaded by the application class loader); this interface lives on the bootstrap class
 * path so that both sides see the same type.
 *
 * <p>Every method is called on the server's own threads, once per event, and must not allocate or
 * block. A method that throws turns recording off (see {@link Bridge}).
 */
public interface Sink {

  /**
   * A connection was accepted.
   *
   * @param connection the accepted {@code java.nio.channels.SocketChannel}, or the {@code
   *     java.net.SocketImpl} of a classic {@code ServerSocket}, or the new socket's file descriptor
   *     as an {@code Integer} (Netty's native epoll accept): the hook point for per-connection
   *     measurements such as {@code TCP_INFO}
   */
  void accepted(Object connection);

  /** A request entered its handler: {@code calling} goes up. */
  void handlerEntered();

  /** A request left its handler: {@code calling} goes down. */
  void handlerExited();

  /** A tracked request's response was committed (headers sent): {@code writing} goes up. */
  void committed();

  /**
   * A tracked request completed, exactly once.
   *
   * @param status the HTTP status, or a value outside 100..599 when none was sent
   * @param error whether it ended with an exception, an abort, a timeout or a reset
   * @param wasCommitted whether {@link #committed()} was reported for it ({@code writing} goes down)
   * @param durationNanos time from the start of tracking to completion
   */
  void completed(int status, boolean error, boolean wasCommitted, long durationNanos);
}
