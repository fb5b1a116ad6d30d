package dev.rainbarrel.agent.instrumentation.servlet;

import dev.rainbarrel.bootstrap.Bridge;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import dev.rainbarrel.agent.instrumentation.Advice;

/**
 * {@code jakarta.servlet}: {@code Servlet.service} and {@code Filter.doFilter}. The outermost frame on
 * a thread is the handler ({@code calling}); the tracking key is the container's request object
 * (wrappers unwrapped), so filter chains, forwards, includes and wrappers count once. Only
 * REQUEST and ASYNC dispatches are tracked: an ERROR dispatch after a failure is the same request,
 * already ended. Inside a container's own frame (Jetty 12's {@code Server.handle}) servlet frames
 * are nested: the container's hooks track and end the request, and an exception escaping a
 * servlet frame marks it as an error.
 */
public final class JakartaServletAdvice {

  private JakartaServletAdvice() {}

  @Advice.OnMethodEnter
  public static void enter(@Advice.Argument(0) ServletRequest request, @Advice.Argument(1) ServletResponse response) {
    if (Bridge.currentRequest() != null) {
      Bridge.enter(null, null, false); // nested frame: depth only
      return;
    }
    ServletRequest key = request;
    for (int i = 0; i < 32 && key instanceof ServletRequestWrapper; i++) {
      key = ((ServletRequestWrapper) key).getRequest();
    }
    DispatcherType type = request.getDispatcherType();
    Bridge.enter(key, response, type == DispatcherType.REQUEST || type == DispatcherType.ASYNC);
  }

  @Advice.OnMethodExit(onThrowable = true)
  public static void exit(
      @Advice.Argument(0) ServletRequest request,
      @Advice.Argument(1) ServletResponse response,
      @Advice.Thrown Throwable thrown) {
    Object key = Bridge.exit();
    if (key == null) {
      if (thrown != null) {
        Bridge.abortedCurrent(); // nested in a container frame (Jetty 12): it ends as an error
      }
      return;
    }
    if (thrown != null) {
      // the container answers 500 unless the response is committed (a client abort escaping the
      // servlet): then the client got the committed status, which counts
      Bridge.endFailed(key, 500);
    } else if (!request.isAsyncStarted()) {
      int status = response instanceof HttpServletResponse ? ((HttpServletResponse) response).getStatus() : -1;
      Bridge.end(key, status, false);
    }
    // else: async; JakartaAsyncListener ends it on complete, timeout or error
  }
}
