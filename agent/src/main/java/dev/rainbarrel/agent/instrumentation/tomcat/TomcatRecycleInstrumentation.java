package dev.rainbarrel.agent.instrumentation.tomcat;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Catalina's {@code Request.recycle()}: the backstop that ends a request Tomcat is done with but
 * whose end the servlet hooks never saw (see {@link TomcatRecycleAdvice}).
 */
public final class TomcatRecycleInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "tomcat";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("org.apache.catalina.connector.Request");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(MethodMatch.named("recycle", 0), "dev.rainbarrel.agent.instrumentation.tomcat.TomcatRecycleAdvice"));
  }
}
