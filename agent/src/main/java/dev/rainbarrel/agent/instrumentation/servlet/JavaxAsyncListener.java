package dev.rainbarrel.agent.instrumentation.servlet;

import dev.rainbarrel.bootstrap.Bridge;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletResponse;

/**
 * Ends an async {@code javax.servlet} request. Stateless and shared: the container hands back the
 * request registered with it ({@link AsyncEvent#getSuppliedRequest()}), which is the tracking key.
 * Injected into the container's class loader (it implements the container's {@code AsyncListener}).
 */
public final class JavaxAsyncListener implements AsyncListener {

  /** The one instance every async request registers. */
  public static final JavaxAsyncListener INSTANCE = new JavaxAsyncListener();

  private static int status(ServletResponse r) {
    return r instanceof HttpServletResponse ? ((HttpServletResponse) r).getStatus() : -1;
  }

  /**
   * Request attribute holding the tracking key where it is not the servlet request (Jetty 12's
   * core request, Undertow's exchange); set by the startAsync advice.
   */
  public static final String KEY_ATTRIBUTE = "dev.rainbarrel.trackedRequest";

  @Override
  public void onComplete(AsyncEvent event) {
    ServletRequest supplied = event.getSuppliedRequest();
    if (supplied != null && supplied.getAttribute(KEY_ATTRIBUTE) == null) {
      Bridge.end(supplied, status(event.getSuppliedResponse()), false);
    } // else the container's own end hook counts it, once its response is out
  }

  /**
   * An async timeout or error marks the request failed without ending it: the container (or the
   * framework, as Spring MVC does with its 503) still answers it in an ERROR or ASYNC dispatch and
   * then completes it, and the request ends there, once, as an error with the status it got.
   */
  @Override
  public void onTimeout(AsyncEvent event) {
    failed(event);
  }

  @Override
  public void onError(AsyncEvent event) {
    failed(event);
  }

  private static void failed(AsyncEvent event) {
    ServletRequest supplied = event.getSuppliedRequest();
    if (supplied != null) {
      Object key = supplied.getAttribute(KEY_ATTRIBUTE);
      Bridge.markError(key != null ? key : supplied);
    }
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // re-registered by the startAsync advice
  }
}
