package dev.rainbarrel.agent.instrumentation.servlet;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** The container's {@code jakarta.servlet.ServletRequest.startAsync} (wrappers excluded). */
public final class JakartaStartAsyncInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "servlet";
  }

  @Override
  public String requiredClass() {
    return "jakarta.servlet.AsyncContext";
  }

  @Override
  public Set<String> superTypes() {
    return Set.of("jakarta.servlet.ServletRequest");
  }

  @Override
  public Set<String> excludedSuperTypes() {
    return Set.of("jakarta.servlet.ServletRequestWrapper");
  }

  @Override
  public List<Hook> hooks() {
    String advice = "dev.rainbarrel.agent.instrumentation.servlet.JakartaStartAsyncAdvice";
    String context = "jakarta.servlet.AsyncContext";
    return List.of(
        new Hook(MethodMatch.named("startAsync", 0).returning(context), advice),
        new Hook(MethodMatch.named("startAsync", 2).withArgument(0, "jakarta.servlet.ServletRequest")
            .withArgument(1, "jakarta.servlet.ServletResponse").returning(context), advice));
  }

  @Override
  public List<String> helpers() {
    return List.of("dev.rainbarrel.agent.instrumentation.servlet.JakartaAsyncListener");
  }
}
