package dev.rainbarrel.agent.instrumentation.jetty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Jetty 12 {@code Server.handle(Request, Response, Callback)}. */
public final class Jetty12ServerInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("org.eclipse.jetty.server.Server");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(
        named("handle").and(takesArguments(3)).and(takesArgument(0, named("org.eclipse.jetty.server.Request"))),
        "dev.rainbarrel.agent.instrumentation.jetty.Jetty12Advice$Handle"));
  }
}
