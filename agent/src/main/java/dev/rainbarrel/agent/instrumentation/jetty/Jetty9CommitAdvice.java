package dev.rainbarrel.agent.instrumentation.jetty;

import dev.rainbarrel.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Jetty 9.4-11 {@code HttpChannel.commit(MetaData.Response)}: the response is committed. The status
 * is left to the request's end (the servlet response knows it then).
 */
public final class Jetty9CommitAdvice {

  private Jetty9CommitAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter() {
    Bridge.commit(null, -1);
  }
}
