package dev.rainbarrel.agent.instrumentation.jetty;

import dev.rainbarrel.bootstrap.Bridge;
import dev.rainbarrel.agent.instrumentation.Advice;
import org.eclipse.jetty.server.Request;

/**
 * Jetty 12 core: every request, servlet (ee8-ee11) or plain {@code Handler}, goes through {@code
 * Server.handle(Request, Response, Callback)} and ends with its channel callback. The tracking key
 * is Jetty's own {@code HttpChannelState.ChannelRequest} (customizers may wrap the request handed
 * to {@code Server.handle}; the response and the callback know the unwrapped one). Servlet frames
 * run nested inside, so they neither track nor end anything themselves here.
 */
public final class Jetty12Advice {

  private Jetty12Advice() {}

  /** {@code Server.handle(Request, Response, Callback)}: the handler frame. */
  public static final class Handle {
    private Handle() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.Argument(0) Request request, @Advice.Argument(1) Object response) {
      Bridge.enter(Request.unWrap(request), response, true);
    }

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit() {
      Bridge.exit(); // the callback ends the request, possibly later and elsewhere
    }
  }

  /**
   * ee10/ee11 {@code ServletChannel.handle()}: a servlet dispatch. The first runs inside {@code
   * Server.handle} and is only a nested frame; an ASYNC dispatch ({@code AsyncContext.dispatch},
   * e.g. after a Spring MVC {@code Callable}) or an async error or timeout dispatch runs from Jetty's
   * thread pool outside it, and is a handler frame of the same request: keyed by the same {@code
   * ChannelRequest}, so that the servlet frames inside it do not start tracking their own request
   * object (which counted such a request twice).
   */
  public static final class ServletChannelHandle {
    private ServletChannelHandle() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.FieldValue("_request") Request request) {
      if (Bridge.currentRequest() != null || request == null) {
        Bridge.enter(null, null, false); // nested frame: depth only
      } else {
        Bridge.enter(Request.unWrap(request), null, true);
      }
    }

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit() {
      Bridge.exit(); // the channel callback ends the request
    }
  }

  /**
   * ee8/ee9 {@code nested.HttpChannel.handle()}: the same for the environments that keep Jetty 9-11's
   * servlet internals; the channel's core request ({@code _coreRequest}, a wrapper of the {@code
   * ChannelRequest}) gives the key.
   */
  public static final class NestedChannelHandle {
    private NestedChannelHandle() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.FieldValue("_coreRequest") Object coreRequest) {
      if (Bridge.currentRequest() != null || !(coreRequest instanceof Request)) {
        Bridge.enter(null, null, false); // nested frame (or no core request yet): depth only
      } else {
        Bridge.enter(Request.unWrap((Request) coreRequest), null, true);
      }
    }

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit() {
      Bridge.exit(); // the core channel callback ends the request
    }
  }

  /**
   * {@code ChannelRequest}'s constructor, woven only when the class was loaded before the agent
   * (it then has no in-flight slot field): before any request of the class is tracked, tell the
   * bridge to place them near their connection ({@link Jetty12ConnectionHome}). After the first
   * request this is one volatile read and a compare.
   */
  public static final class RequestCreated {
    private RequestCreated() {}

    @Advice.OnMethodExit
    public static void exit(@Advice.This Object request) {
      Bridge.placeBy(request.getClass(), Jetty12ConnectionHome.INSTANCE);
    }
  }

  /** {@code ChannelResponse.lockedPrepareResponse}: the response head is being committed. */
  public static final class PrepareResponse {
    private PrepareResponse() {}

    @Advice.OnMethodExit
    public static void exit(@Advice.FieldValue("_request") Object request, @Advice.FieldValue("_status") int status) {
      Bridge.commit(request, status);
    }
  }

  /** {@code ChannelCallback.succeeded()}: the request completed. */
  public static final class Succeeded {
    private Succeeded() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.FieldValue("_request") Object request) {
      Bridge.end(request, -1, false);
    }
  }

  /**
   * {@code ChannelResponse.failed(Throwable)}: a write of the response to the stream failed (the
   * client reset the connection or the HTTP/2 stream). The handler may still end the request as a
   * success: an application that writes asynchronously (WebFlux on Jetty's servlet container) gets
   * the failure in its own write listener and completes normally, and {@code ChannelCallback} then
   * succeeds. The mark makes that end an error, as a servlet that sees the write fail is.
   */
  public static final class WriteFailed {
    private WriteFailed() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.FieldValue("_request") Object request) {
      Bridge.markError(request);
    }
  }

  /**
   * {@code ChannelCallback.failed(Throwable)}: the request failed, an error. Jetty answers 500 if
   * the response is not committed yet; if it is (a write of a committed response failed: the
   * client reset the connection, or closed it with pipelined requests still to be answered), the
   * client got the committed status and Jetty only closes the connection, so that status counts.
   */
  public static final class Failed {
    private Failed() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.FieldValue("_request") Object request) {
      Bridge.endFailed(request, 500);
    }
  }
}
