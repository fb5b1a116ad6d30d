package dev.rainbarrel.agent.instrumentation.jetty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Jetty 12 ee10 {@code ServletChannel.handle()}: servlet dispatches that run outside {@code
 * Server.handle} (async dispatches) stay frames of the request Jetty's core hooks track.
 */
public final class Jetty12ServletChannelInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("org.eclipse.jetty.ee10.servlet.ServletChannel");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(MethodMatch.named("handle", 0),
        "dev.rainbarrel.agent.instrumentation.jetty.Jetty12Advice$ServletChannelHandle"));
  }
}
