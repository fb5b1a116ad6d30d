package dev.rainbarrel.agent.instrumentation.servlet;

import dev.rainbarrel.bootstrap.Bridge;
import javax.servlet.AsyncContext;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import dev.rainbarrel.agent.instrumentation.Advice;

/**
 * {@code ServletRequest.startAsync} in the container's request class: registers the shared
 * {@link JavaxAsyncListener} with this thread's tracked request as the supplied request, so the
 * listener gets the tracking key back without any per-request object of ours. Where the tracked
 * request is not a servlet request (Jetty 12, Undertow) the async context's own request is
 * supplied, for timeouts and errors only, with the key in a request attribute (one map entry per
 * async request on those containers).
 */
public final class JavaxStartAsyncAdvice {

  private JavaxStartAsyncAdvice() {}

  @Advice.OnMethodExit
  public static void exit(@Advice.Return AsyncContext context) {
    Object request = Bridge.currentRequest();
    Object response = Bridge.currentResponse();
    if (context == null || request == null) {
      return; // not inside a tracked request (before the agent, or an agent thread)
    }
    if (!Bridge.firstAsyncStart(context)) {
      return; // an inner startAsync the container's outer one delegated to registered it already
    }
    if (request instanceof ServletRequest && response instanceof ServletResponse) {
      context.addListener(JavaxAsyncListener.INSTANCE, (ServletRequest) request, (ServletResponse) response);
    } else {
      // the container keys the request otherwise (Jetty 12, Undertow) and ends it itself; the
      // listener is there for timeouts and errors, and finds the key in an attribute
      ServletRequest servletRequest = context.getRequest();
      servletRequest.setAttribute(JavaxAsyncListener.KEY_ATTRIBUTE, request);
      context.addListener(JavaxAsyncListener.INSTANCE, servletRequest, context.getResponse());
    }
  }
}
