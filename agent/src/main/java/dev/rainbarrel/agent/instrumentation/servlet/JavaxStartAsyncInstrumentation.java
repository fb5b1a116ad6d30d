package dev.rainbarrel.agent.instrumentation.servlet;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** The container's {@code javax.servlet.ServletRequest.startAsync} (wrappers excluded). */
public final class JavaxStartAsyncInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "servlet";
  }

  @Override
  public String requiredClass() {
    return "javax.servlet.AsyncContext";
  }

  @Override
  public Set<String> superTypes() {
    return Set.of("javax.servlet.ServletRequest");
  }

  @Override
  public Set<String> excludedSuperTypes() {
    return Set.of("javax.servlet.ServletRequestWrapper");
  }

  @Override
  public List<Hook> hooks() {
    String advice = "dev.rainbarrel.agent.instrumentation.servlet.JavaxStartAsyncAdvice";
    String context = "javax.servlet.AsyncContext";
    return List.of(
        new Hook(MethodMatch.named("startAsync", 0).returning(context), advice),
        new Hook(MethodMatch.named("startAsync", 2).withArgument(0, "javax.servlet.ServletRequest")
            .withArgument(1, "javax.servlet.ServletResponse").returning(context), advice));
  }

  @Override
  public List<String> helpers() {
    return List.of("dev.rainbarrel.agent.instrumentation.servlet.JavaxAsyncListener");
  }
}
