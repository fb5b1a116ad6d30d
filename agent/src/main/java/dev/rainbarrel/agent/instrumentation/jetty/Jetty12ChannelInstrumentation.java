package dev.rainbarrel.agent.instrumentation.jetty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Jetty 12 {@code HttpChannelState}: response commit and the request's callback. */
public final class Jetty12ChannelInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("org.eclipse.jetty.server.internal.HttpChannelState$ChannelResponse")
        .or(named("org.eclipse.jetty.server.internal.HttpChannelState$ChannelCallback"));
  }

  @Override
  public List<Hook> hooks() {
    String a = "dev.rainbarrel.agent.instrumentation.jetty.Jetty12Advice$";
    return List.of(
        new Hook(named("lockedPrepareResponse").and(takesArguments(2)), a + "PrepareResponse"),
        new Hook(named("succeeded").and(takesArguments(0))
            .and(net.bytebuddy.matcher.ElementMatchers.isDeclaredBy(
                named("org.eclipse.jetty.server.internal.HttpChannelState$ChannelCallback"))), a + "Succeeded"),
        new Hook(named("failed").and(takesArguments(1))
            .and(net.bytebuddy.matcher.ElementMatchers.isDeclaredBy(
                named("org.eclipse.jetty.server.internal.HttpChannelState$ChannelCallback"))), a + "Failed"));
  }
}
