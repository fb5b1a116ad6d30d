package dev.rainbarrel.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.LoaderCanSee;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** {@code javax.servlet.Servlet.service} and {@code Filter.doFilter} implementations. */
public final class JavaxServletInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "servlet";
  }

  @Override
  public ElementMatcher<? super ClassLoader> classLoaderMatcher() {
    return new LoaderCanSee("javax.servlet.Servlet");
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return not(isInterface())
        .and(hasSuperType(named("javax.servlet.Servlet").or(named("javax.servlet.Filter"))));
  }

  @Override
  public List<Hook> hooks() {
    String req = "javax.servlet.ServletRequest";
    return List.of(
        new Hook(named("service").and(takesArguments(2)).and(takesArgument(0, named(req))).and(not(isAbstract())),
            "dev.rainbarrel.agent.instrumentation.servlet.JavaxServletAdvice"),
        new Hook(named("doFilter").and(takesArguments(3)).and(takesArgument(0, named(req))).and(not(isAbstract())),
            "dev.rainbarrel.agent.instrumentation.servlet.JavaxServletAdvice"));
  }
}
