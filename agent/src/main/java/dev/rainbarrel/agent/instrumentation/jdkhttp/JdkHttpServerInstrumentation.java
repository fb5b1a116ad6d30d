package dev.rainbarrel.agent.instrumentation.jdkhttp;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** The JDK's {@code ExchangeImpl}: request start, commit and abandoned exchanges. */
public final class JdkHttpServerInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jdkhttp";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("sun.net.httpserver.ExchangeImpl");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(isConstructor(), JdkHttpAdvice.ExchangeCreated.class.getName()),
        new Hook(named("sendResponseHeaders").and(takesArguments(2)), JdkHttpAdvice.SendResponseHeaders.class.getName()),
        new Hook(named("close").and(takesArguments(0)), JdkHttpAdvice.Close.class.getName()));
  }
}
