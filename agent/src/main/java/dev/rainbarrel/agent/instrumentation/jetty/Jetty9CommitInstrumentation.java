package dev.rainbarrel.agent.instrumentation.jetty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Jetty 9.4-11 response commit, for {@code writing} (requests come from the servlet hooks). */
public final class Jetty9CommitInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("org.eclipse.jetty.server.HttpChannel");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(named("commit").and(takesArguments(1)),
        "dev.rainbarrel.agent.instrumentation.jetty.Jetty9CommitAdvice"));
  }
}
