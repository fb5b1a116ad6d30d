package dev.rainbarrel.agent.instrumentation.undertow;

import dev.rainbarrel.bootstrap.Bridge;
import io.undertow.server.DefaultResponseListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import dev.rainbarrel.agent.instrumentation.Advice;

/**
 * Undertow 2.x. The tracking key is the {@code HttpServerExchange}. Every root-handler run (the
 * first on the IO thread, each dispatch to a worker) is a handler frame for {@code calling}; the
 * exchange's completion (which Undertow also reaches when the connection dies) ends the request,
 * as an error when Undertow recorded an exception for it.
 */
public final class UndertowAdvice {

  private UndertowAdvice() {}

  /** {@code Connectors.executeRootHandler(HttpHandler, HttpServerExchange)}. */
  public static final class RootHandler {
    private RootHandler() {}

    /**
     * Tracking starts only for an exchange whose response has not started: Undertow also runs the
     * root handler for an exchange whose response is under way or done (an async servlet completed
     * from an application thread, as Spring MVC's {@code SseEmitter} does, has its completion
     * dispatched this way, sometimes after the exchange already ended); starting it again there
     * counted such a request twice.
     */
    @Advice.OnMethodEnter
    public static void enter(@Advice.Argument(1) HttpServerExchange exchange) {
      Bridge.enter(exchange, null, !exchange.isResponseStarted());
    }

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit(@Advice.Argument(1) HttpServerExchange exchange) {
      Object key = Bridge.exit();
      if (key != null && exchange.isComplete()) {
        // completed inside this frame (see Complete): now the outcome is known
        Bridge.end(exchange, exchange.getStatusCode(),
            exchange.getAttachment(DefaultResponseListener.EXCEPTION) != null);
      }
    }
  }

  /** {@code HttpServerExchange.startResponse()}: the response is committed. */
  public static final class StartResponse {
    private StartResponse() {}

    @Advice.OnMethodExit
    public static void exit(@Advice.This HttpServerExchange exchange) {
      int status = exchange.getStatusCode();
      if (status == 101 && "h2c".equalsIgnoreCase(exchange.getResponseHeaders().getFirst("Upgrade"))) {
        // an h2c upgrade: the request goes on as HTTP/2 stream 1, an exchange of its own, counted there
        Bridge.forget(exchange);
        return;
      }
      Bridge.commit(exchange, status);
    }
  }

  /**
   * {@code HttpServerExchange.invokeExchangeCompleteListeners()}: the exchange is over. When that
   * happens inside this thread's handler frame for the same exchange (a blocking handler finishing
   * its response, or a write failing because the client reset the connection), the end is left to
   * the frame's exit, where Undertow has recorded any exception the handler threw. Not when
   * Undertow runs the listeners of an exchange that is not complete, as its error paths in {@code
   * endExchange} and {@code closeAndFlushResponse} do (seen over HTTP/2, about once in a hundred
   * connections on JDK 17): they run now and never again, and the frame's exit, which waits for a
   * complete exchange, would leave the request in flight for good.
   *
   * <p>An exchange whose connection is already closed when its listeners run ended because the
   * connection went away: a write that failed closed it (the client reset it while a framework
   * wrote without a stream, as WebFlux on Undertow's own adapter does from the I/O thread), and
   * Undertow ended the exchange from the close listener, inside that write. Such an end is an
   * error. (A normal end runs the listeners before Undertow closes a {@code Connection: close}
   * connection: closing it is one of them.)
   */
  public static final class Complete {
    private Complete() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.This HttpServerExchange exchange) {
      if (Bridge.currentRequest() != exchange || !exchange.isComplete()) {
        ServerConnection connection = exchange.getConnection();
        Bridge.end(exchange, exchange.getStatusCode(),
            exchange.getAttachment(DefaultResponseListener.EXCEPTION) != null || connection != null && !connection.isOpen());
      }
    }
  }

  /**
   * A write, flush or close of the response stream that throws an {@code IOException}: the client
   * went away, or an earlier failed write closed the stream. Applications and frameworks often
   * swallow it (Spring MVC logs "Looks like the client has gone away" and returns normally), so
   * without this mark the request would end looking successful.
   */
  public static final class WriteFailed {
    private WriteFailed() {}

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit(@Advice.Thrown Throwable thrown) {
      if (thrown instanceof java.io.IOException) {
        Bridge.abortedCurrent();
      }
    }
  }
}
