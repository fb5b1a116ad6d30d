package dev.rainbarrel.agent.instrumentation.undertow;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Undertow's {@code Connectors.executeRootHandler}: every run of the handler chain. */
public final class UndertowConnectorsInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "undertow";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("io.undertow.server.Connectors");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(named("executeRootHandler").and(takesArguments(2)),
        "dev.rainbarrel.agent.instrumentation.undertow.UndertowAdvice$RootHandler"));
  }
}
