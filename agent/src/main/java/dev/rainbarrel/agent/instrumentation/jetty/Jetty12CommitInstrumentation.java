package dev.rainbarrel.agent.instrumentation.jetty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Jetty 12's response writes, for {@code writing} (requests come from the servlet hooks). */
public final class Jetty12CommitInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("org.eclipse.jetty.server.internal.HttpChannelState$ChannelResponse");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(named("write").and(takesArguments(3)),
        "dev.rainbarrel.agent.instrumentation.jetty.JettyCommitAdvice"));
  }
}
