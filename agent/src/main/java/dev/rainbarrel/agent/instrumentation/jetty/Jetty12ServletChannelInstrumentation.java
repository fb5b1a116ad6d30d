package dev.rainbarrel.agent.instrumentation.jetty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Jetty 12's servlet environments: {@code ServletChannel.handle()} (ee10, ee11) and the "nested"
 * layer's {@code HttpChannel.handle()} (ee8, ee9). Servlet dispatches that run outside {@code
 * Server.handle} (async dispatches, async errors and timeouts) stay frames of the request Jetty's
 * core hooks track.
 */
public final class Jetty12ServletChannelInstrumentation implements TypeInstrumentation {

  private static final String SERVLET_CHANNEL_EE10 = "org.eclipse.jetty.ee10.servlet.ServletChannel";
  private static final String SERVLET_CHANNEL_EE11 = "org.eclipse.jetty.ee11.servlet.ServletChannel";
  private static final String NESTED_CHANNEL_EE8 = "org.eclipse.jetty.ee8.nested.HttpChannel";
  private static final String NESTED_CHANNEL_EE9 = "org.eclipse.jetty.ee9.nested.HttpChannel";

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of(SERVLET_CHANNEL_EE10, SERVLET_CHANNEL_EE11, NESTED_CHANNEL_EE8, NESTED_CHANNEL_EE9);
  }

  @Override
  public List<Hook> hooks() {
    String servletChannel = "dev.rainbarrel.agent.instrumentation.jetty.Jetty12Advice$ServletChannelHandle";
    String nestedChannel = "dev.rainbarrel.agent.instrumentation.jetty.Jetty12Advice$NestedChannelHandle";
    return List.of(
        new Hook(MethodMatch.named("handle", 0).declaredBy(SERVLET_CHANNEL_EE10), servletChannel),
        new Hook(MethodMatch.named("handle", 0).declaredBy(SERVLET_CHANNEL_EE11), servletChannel),
        new Hook(MethodMatch.named("handle", 0).declaredBy(NESTED_CHANNEL_EE8), nestedChannel),
        new Hook(MethodMatch.named("handle", 0).declaredBy(NESTED_CHANNEL_EE9), nestedChannel));
  }
}
