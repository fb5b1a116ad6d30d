package dev.rainbarrel.agent.instrumentation.jdkhttp;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** {@code com.sun.net.httpserver.Filter.Chain}: the filters and handler of one exchange. */
public final class JdkHttpFilterChainInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jdkhttp";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("com.sun.net.httpserver.Filter$Chain");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(named("doFilter").and(takesArguments(1)), JdkHttpAdvice.DoFilter.class.getName()));
  }
}
