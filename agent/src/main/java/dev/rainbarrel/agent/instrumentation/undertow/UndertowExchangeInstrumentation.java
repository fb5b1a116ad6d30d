package dev.rainbarrel.agent.instrumentation.undertow;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** Undertow's {@code HttpServerExchange}: commit and completion. */
public final class UndertowExchangeInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "undertow";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("io.undertow.server.HttpServerExchange");
  }

  @Override
  public Set<String> inFlightKeyTypes() {
    return Set.of("io.undertow.server.HttpServerExchange"); // one new object per request: found through its slot field
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("startResponse", 0), "dev.rainbarrel.agent.instrumentation.undertow.UndertowAdvice$StartResponse"),
        new Hook(MethodMatch.named("invokeExchangeCompleteListeners", 0), "dev.rainbarrel.agent.instrumentation.undertow.UndertowAdvice$Complete"));
  }
}
