package dev.rainbarrel.agent.instrumentation.tomcat;

import dev.rainbarrel.bootstrap.Bridge;
import dev.rainbarrel.agent.instrumentation.Advice;

/**
 * {@code org.apache.coyote.Response.commit()} (Tomcat 10.1.x+; {@code sendHeaders()} in older releases, which the newer ones keep as a delegating alias - the bridge counts one commit per request): Tomcat commits the response. Attributed to the
 * request this thread is handling (commits outside a handler frame - after the servlet returned,
 * or from an async thread - are not reported, so {@code writing} can under-count but never leak).
 */
public final class TomcatCommitAdvice {

  private TomcatCommitAdvice() {}

  @Advice.OnMethodEnter
  public static void enter(@Advice.FieldValue("status") int status) {
    Bridge.commit(null, status);
  }
}
