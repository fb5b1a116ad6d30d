package dev.rainbarrel.agent.instrumentation.undertow;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Undertow's {@code HttpServerExchange}: commit and completion. */
public final class UndertowExchangeInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "undertow";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("io.undertow.server.HttpServerExchange");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(named("startResponse").and(takesArguments(0)),
            "dev.rainbarrel.agent.instrumentation.undertow.UndertowAdvice$StartResponse"),
        new Hook(named("invokeExchangeCompleteListeners").and(takesArguments(0)),
            "dev.rainbarrel.agent.instrumentation.undertow.UndertowAdvice$Complete"));
  }
}
