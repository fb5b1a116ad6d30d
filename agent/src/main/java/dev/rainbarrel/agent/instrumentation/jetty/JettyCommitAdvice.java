package dev.rainbarrel.agent.instrumentation.jetty;

import dev.rainbarrel.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Jetty 12 {@code HttpChannelState.ChannelResponse.write(boolean, ByteBuffer, Callback)}: the first
 * write commits the response. Reported for this thread's request; the bridge counts the first
 * commit per request only, so later writes cost one table lookup.
 */
public final class JettyCommitAdvice {

  private JettyCommitAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.FieldValue("_status") int status) {
    Bridge.commit(null, status);
  }
}
