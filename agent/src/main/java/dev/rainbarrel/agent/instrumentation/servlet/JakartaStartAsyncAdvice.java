package dev.rainbarrel.agent.instrumentation.servlet;

import dev.rainbarrel.bootstrap.Bridge;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import dev.rainbarrel.agent.instrumentation.Advice;

/**
 * {@code ServletRequest.startAsync} in the container's request class: registers the shared
 * {@link JakartaAsyncListener} with this thread's tracked request as the supplied request, so the
 * listener gets the tracking key back without any per-request object of ours.
 */
public final class JakartaStartAsyncAdvice {

  private JakartaStartAsyncAdvice() {}

  @Advice.OnMethodExit
  public static void exit(@Advice.Return AsyncContext context) {
    Object request = Bridge.currentRequest();
    Object response = Bridge.currentResponse();
    if (context != null && request instanceof ServletRequest && response instanceof ServletResponse) {
      context.addListener(JakartaAsyncListener.INSTANCE, (ServletRequest) request, (ServletResponse) response);
    }
  }
}
