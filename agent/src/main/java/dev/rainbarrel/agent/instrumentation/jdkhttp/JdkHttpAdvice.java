package dev.rainbarrel.agent.instrumentation.jdkhttp;

import dev.rainbarrel.agent.instrumentation.Advice;
import dev.rainbarrel.bootstrap.Bridge;

/**
 * Advice for {@code com.sun.net.httpserver} (package {@code sun.net.httpserver}). The tracking key
 * is the server's {@code ExchangeImpl}, one per request.
 */
public final class JdkHttpAdvice {

  private JdkHttpAdvice() {}

  /** {@code ExchangeImpl.<init>}: a request was parsed; start tracking it. */
  public static final class ExchangeCreated {
    private ExchangeCreated() {}

    @Advice.OnMethodExit
    public static void exit(@Advice.This Object exchange) {
      try {
        Bridge.track(exchange);
      } catch (Throwable t) { // on the bootstrap path: not rewritten by SuppressingAdvice
        Bridge.adviceFailed(t);
      }
    }
  }

  /**
   * {@code ExchangeImpl.sendResponseHeaders(int, long)}: commit, on entry because a body-less
   * response completes inside this very call.
   */
  public static final class SendResponseHeaders {
    private SendResponseHeaders() {}

    @Advice.OnMethodEnter
    public static void enter(
        @Advice.This Object exchange,
        @Advice.Argument(0) int code,
        @Advice.FieldValue("sentHeaders") boolean sent) {
      try {
        if (!sent) {
          Bridge.commit(exchange, code);
        }
      } catch (Throwable t) { // on the bootstrap path: not rewritten by SuppressingAdvice
        Bridge.adviceFailed(t);
      }
    }
  }

  /**
   * {@code ExchangeImpl.close()}: if the response body was not finished, the exchange was
   * abandoned (handler gave up, client went away): it ends here as an error.
   */
  public static final class Close {
    private Close() {}

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit(
        @Advice.This Object exchange, @Advice.FieldValue("writefinished") boolean finished) {
      try {
        if (!finished) {
          Bridge.end(exchange, -1, true);
        }
      } catch (Throwable t) { // on the bootstrap path: not rewritten by SuppressingAdvice
        Bridge.adviceFailed(t);
      }
    }
  }

  /**
   * The write-finished event's constructor ({@code WriteFinishedEvent} up to JDK 21, {@code
   * Event$WriteFinished} later): the response body was fully written, the normal end.
   */
  public static final class WriteFinished {
    private WriteFinished() {}

    @Advice.OnMethodExit
    public static void exit(@Advice.Argument(0) Object exchange) {
      try {
        Bridge.end(exchange, -1, false);
      } catch (Throwable t) { // on the bootstrap path: not rewritten by SuppressingAdvice
        Bridge.adviceFailed(t);
      }
    }
  }

  /**
   * {@code Filter.Chain.doFilter(HttpExchange)}: the outermost call on a thread is the handler
   * frame ({@code calling}); a throw out of it ends the request as an error.
   */
  public static final class DoFilter {
    private DoFilter() {}

    @Advice.OnMethodEnter
    public static void enter() {
      try {
        Bridge.enter(null, null, false);
      } catch (Throwable t) { // on the bootstrap path: not rewritten by SuppressingAdvice
        Bridge.adviceFailed(t);
      }
    }

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit(@Advice.Thrown Throwable thrown) {
      try {
        Object exchange = Bridge.exit();
        if (exchange != null && thrown != null) {
          Bridge.end(exchange, -1, true);
        }
      } catch (Throwable t) { // on the bootstrap path: not rewritten by SuppressingAdvice
        Bridge.adviceFailed(t);
      }
    }
  }
}
