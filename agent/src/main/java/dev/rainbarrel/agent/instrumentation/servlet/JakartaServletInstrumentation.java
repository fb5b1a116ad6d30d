package dev.rainbarrel.agent.instrumentation.servlet;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** {@code jakarta.servlet.Servlet.service} and {@code Filter.doFilter} implementations. */
public final class JakartaServletInstrumentation implements TypeInstrumentation {

  private static final String REQUEST = "jakarta.servlet.ServletRequest";
  private static final String RESPONSE = "jakarta.servlet.ServletResponse";
  private static final String ADVICE = "dev.rainbarrel.agent.instrumentation.servlet.JakartaServletAdvice";

  @Override
  public String server() {
    return "servlet";
  }

  @Override
  public String requiredClass() {
    return "jakarta.servlet.Servlet";
  }

  @Override
  public Set<String> superTypes() {
    return Set.of("jakarta.servlet.Servlet", "jakarta.servlet.Filter");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("service", 2).withArgument(0, REQUEST).withArgument(1, RESPONSE), ADVICE),
        new Hook(MethodMatch.named("doFilter", 3).withArgument(0, REQUEST).withArgument(1, RESPONSE)
            .withArgument(2, "jakarta.servlet.FilterChain"), ADVICE));
  }
}
