package dev.rainbarrel.agent.instrumentation.tomcat;

import dev.rainbarrel.agent.instrumentation.Advice;
import dev.rainbarrel.bootstrap.Bridge;

/**
 * Entry of Catalina's {@code Request.recycle()}: Tomcat is done with the request, so one still in
 * flight under its servlet request (the {@code applicationRequest} field, what {@code getRequest()}
 * hands to the servlet hooks) ends here, as an error. Normally nothing is left: a synchronous
 * request ended at its servlet frame's exit and an async one at the {@code AsyncListener}'s
 * {@code onComplete}, both earlier; then this is a lookup that finds nothing, made only for a
 * request that went async (its {@code asyncContext} is set until this very method clears it).
 * What is left is an async request whose client reset the connection while the first dispatch
 * was still running (Spring MVC's {@code SseEmitter}): Tomcat fires {@code onError} on that
 * container thread, Spring's application thread is then refused the {@code AsyncContext}, and
 * Tomcat closes the request without an {@code onComplete}, which left {@code writing} up for good.
 */
public final class TomcatRecycleAdvice {

  private TomcatRecycleAdvice() {}

  @Advice.OnMethodEnter
  public static void enter(
      @Advice.FieldValue("applicationRequest") Object servletRequest, @Advice.FieldValue("asyncContext") Object async) {
    if (async != null && servletRequest != null) { // only an async request can be left: no lookup for the others
      Bridge.end(servletRequest, -1, true);
    }
  }
}
