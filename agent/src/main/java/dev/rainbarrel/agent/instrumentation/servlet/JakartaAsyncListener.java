package dev.rainbarrel.agent.instrumentation.servlet;

import dev.rainbarrel.bootstrap.Bridge;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Ends an async {@code jakarta.servlet} request. Stateless and shared: the container hands back the
 * request registered with it ({@link AsyncEvent#getSuppliedRequest()}), which is the tracking key.
 * Injected into the container's class loader (it implements the container's {@code AsyncListener}).
 */
public final class JakartaAsyncListener implements AsyncListener {

  /** The one instance every async request registers. */
  public static final JakartaAsyncListener INSTANCE = new JakartaAsyncListener();

  private static int status(ServletResponse r) {
    return r instanceof HttpServletResponse ? ((HttpServletResponse) r).getStatus() : -1;
  }

  @Override
  public void onComplete(AsyncEvent event) {
    Bridge.end(event.getSuppliedRequest(), status(event.getSuppliedResponse()), false);
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    Bridge.end(event.getSuppliedRequest(), 500, true);
  }

  @Override
  public void onError(AsyncEvent event) {
    Bridge.end(event.getSuppliedRequest(), 500, true);
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // re-registered by the startAsync advice
  }
}
