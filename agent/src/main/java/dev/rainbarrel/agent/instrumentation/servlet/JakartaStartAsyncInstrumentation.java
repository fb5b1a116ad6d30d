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
    return List.of(new Hook(MethodMatch.named("startAsync", -1).returning("jakarta.servlet.AsyncContext"),
        "dev.rainbarrel.agent.instrumentation.servlet.JakartaStartAsyncAdvice"));
  }

  @Override
  public List<String> helpers() {
    return List.of("dev.rainbarrel.agent.instrumentation.servlet.JakartaAsyncListener");
  }
}
