package dev.rainbarrel.agent.instrumentation.jetty;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Jetty 9.4-11 {@code HttpChannel} (a class there; Jetty 12's interface of the same name is not
 * matched): every request, servlet or plain {@code Handler}, is handled, committed and completed
 * by it. See {@link Jetty9Advice}.
 */
public final class Jetty9ChannelInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("org.eclipse.jetty.server.HttpChannel").and(not(isInterface()));
  }

  @Override
  public List<Hook> hooks() {
    String a = "dev.rainbarrel.agent.instrumentation.jetty.Jetty9Advice$";
    return List.of(
        new Hook(named("handle").and(takesArguments(0)).and(not(isAbstract())), a + "Handle"),
        new Hook(named("commit").and(takesArguments(1))
            .and(takesArgument(0, named("org.eclipse.jetty.http.MetaData$Response"))), a + "Commit"),
        new Hook(named("handleException").and(takesArguments(1)), a + "HandleException"),
        new Hook(named("onCompleted").and(takesArguments(0)).and(not(isAbstract())), a + "Completed"));
  }
}
