package dev.rainbarrel.agent.instrumentation.jdkhttp;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** The JDK HttpServer's write-finished event: the normal end of a request. */
public final class JdkHttpWriteFinishedInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jdkhttp";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("sun.net.httpserver.WriteFinishedEvent").or(named("sun.net.httpserver.Event$WriteFinished"));
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(isConstructor().and(takesArguments(1)), JdkHttpAdvice.WriteFinished.class.getName()));
  }
}
