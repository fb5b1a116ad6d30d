package dev.rainbarrel.agent.instrumentation.jdkhttp;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** {@code com.sun.net.httpserver.Filter.Chain}: the filters and handler of one exchange. */
public final class JdkHttpFilterChainInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jdkhttp";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("com.sun.net.httpserver.Filter$Chain");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("doFilter", 1), JdkHttpAdvice.DoFilter.class.getName()));
  }
}
