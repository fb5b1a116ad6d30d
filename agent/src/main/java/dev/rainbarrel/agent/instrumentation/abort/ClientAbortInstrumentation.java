package dev.rainbarrel.agent.instrumentation.abort;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

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
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("org.apache.catalina.connector.ClientAbortException")
        .or(named("org.eclipse.jetty.io.EofException"));
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(isConstructor(), "dev.rainbarrel.agent.instrumentation.abort.AbortAdvice"));
  }
}
