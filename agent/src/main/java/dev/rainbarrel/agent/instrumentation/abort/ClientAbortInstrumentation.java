package dev.rainbarrel.agent.instrumentation.abort;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Tomcat's {@code ClientAbortException} and Jetty's {@code EofException}: both are created exactly
 * when a write to a client that went away fails.
 */
public final class ClientAbortInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "servlet";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("org.apache.catalina.connector.ClientAbortException", "org.eclipse.jetty.io.EofException");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.constructor(-1), "dev.rainbarrel.agent.instrumentation.abort.AbortAdvice"));
  }
}
