package dev.rainbarrel.agent.instrumentation.jetty;

import dev.rainbarrel.bootstrap.Bridge;
import dev.rainbarrel.agent.instrumentation.Advice;
import org.eclipse.jetty.http.MetaData;

/**
 * Jetty 9.4-11: {@code HttpChannel} runs every request whatever handles it (servlets or plain
 * {@code Handler}s), so requests are counted here and the servlet frames inside run nested (depth
 * only). The tracking key is the channel's own {@code Request} (field {@code _request}), the same
 * object the servlet hooks unwrap to, so the shared async listener registered by {@code
 * startAsync} ends the same entry. Jetty recycles that object for the next request on the
 * connection only after {@code onCompleted}, the last thing it does for a request.
 *
 * <ul>
 *   <li>{@code handle()}: one dispatch (the request, an async dispatch, an error dispatch, the
 *       completion of an async request): the handler frame ({@code calling}); the first one
 *       starts tracking.
 *   <li>{@code commit(MetaData.Response)}: the response head goes out ({@code writing}, status).
 *   <li>{@code handleException(Throwable)}: a handler threw (or the client went away mid-write):
 *       the request ends as an error whenever it ends.
 *   <li>{@code onCompleted()}: the request is done (normal, after an error, or aborted): it ends.
 * </ul>
 */
public final class Jetty9Advice {

  private Jetty9Advice() {}

  /** {@code HttpChannel.handle()}. */
  public static final class Handle {
    private Handle() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.FieldValue("_request") Object request, @Advice.FieldValue("_response") Object response) {
      Bridge.enter(request, response, true);
    }

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit() {
      Bridge.exit(); // onCompleted ends the request, inside this frame or in a later dispatch
    }
  }

  /**
   * {@code HttpChannel.commit(MetaData.Response)}: Jetty commits an interim {@code 100 Continue}
   * through it too (when the application first reads a body the client sent with {@code Expect:
   * 100-continue}); that is not the response and commits nothing.
   */
  public static final class Commit {
    private Commit() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.FieldValue("_request") Object request, @Advice.Argument(0) MetaData.Response info) {
      int status = info != null ? info.getStatus() : -1;
      if (status >= 200 || status == 101 || status < 100) {
        Bridge.commit(request, status);
      }
    }
  }

  /** {@code HttpChannel.handleException(Throwable)}: inside the {@code handle()} frame. */
  public static final class HandleException {
    private HandleException() {}

    @Advice.OnMethodEnter
    public static void enter() {
      Bridge.abortedCurrent();
    }
  }

  /** {@code HttpChannel.onCompleted()}. */
  public static final class Completed {
    private Completed() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.FieldValue("_request") Object request) {
      Bridge.end(request, -1, false); // the status the commit recorded
    }
  }
}
