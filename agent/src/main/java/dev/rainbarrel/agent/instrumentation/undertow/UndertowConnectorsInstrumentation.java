package dev.rainbarrel.agent.instrumentation.undertow;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** Undertow's {@code Connectors.executeRootHandler}: every run of the handler chain. */
public final class UndertowConnectorsInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "undertow";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("io.undertow.server.Connectors");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("executeRootHandler", 2), "dev.rainbarrel.agent.instrumentation.undertow.UndertowAdvice$RootHandler"));
  }
}
