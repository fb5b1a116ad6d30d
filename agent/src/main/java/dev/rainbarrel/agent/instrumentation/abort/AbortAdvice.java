package dev.rainbarrel.agent.instrumentation.abort;

import dev.rainbarrel.bootstrap.Bridge;
import dev.rainbarrel.agent.instrumentation.Advice;

/**
 * The constructor of a server's "client went away" exception: the request this thread is handling
 * had its response aborted. Frameworks (Spring MVC among them) often swallow these, so the request
 * would otherwise end looking successful.
 */
public final class AbortAdvice {

  private AbortAdvice() {}

  @Advice.OnMethodExit
  public static void exit() {
    Bridge.abortedCurrent();
  }
}
