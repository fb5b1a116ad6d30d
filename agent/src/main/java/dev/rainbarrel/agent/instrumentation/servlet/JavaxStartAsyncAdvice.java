package dev.rainbarrel.agent.instrumentation.servlet;

import dev.rainbarrel.bootstrap.Bridge;
import javax.servlet.AsyncContext;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import dev.rainbarrel.agent.instrumentation.Advice;

/**
 * {@code ServletRequest.startAsync} in the container's request class: registers the shared
 * {@link JavaxAsyncListener} with this thread's tracked request as the supplied request, so the
 * listener gets the tracking key back without any per-request object of ours.
 */
public final class JavaxStartAsyncAdvice {

  private JavaxStartAsyncAdvice() {}

  @Advice.OnMethodExit
  public static void exit(@Advice.Return AsyncContext context) {
    Object request = Bridge.currentRequest();
    Object response = Bridge.currentResponse();
    if (context != null && request instanceof ServletRequest && response instanceof ServletResponse) {
      context.addListener(JavaxAsyncListener.INSTANCE, (ServletRequest) request, (ServletResponse) response);
    }
  }
}
