package dev.rainbarrel.agent.instrumentation.jetty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** Jetty 12 {@code Server.handle(Request, Response, Callback)}. */
public final class Jetty12ServerInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("org.eclipse.jetty.server.Server");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("handle", 3).withArgument(0, "org.eclipse.jetty.server.Request"), "dev.rainbarrel.agent.instrumentation.jetty.Jetty12Advice$Handle"));
  }
}
