package dev.rainbarrel.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
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
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** {@code jakarta.servlet.Servlet.service} and {@code Filter.doFilter} implementations. */
public final class JakartaServletInstrumentation implements TypeInstrumentation {

  private static final String REQUEST = "jakarta.servlet.ServletRequest";
  private static final ElementMatcher.Junction<MethodDescription> SERVICE = named("service")
      .and(takesArguments(2)).and(takesArgument(0, named(REQUEST))).and(not(isAbstract()));
  private static final ElementMatcher.Junction<MethodDescription> DO_FILTER = named("doFilter")
      .and(takesArguments(3)).and(takesArgument(0, named(REQUEST))).and(not(isAbstract()));

  @Override
  public String server() {
    return "servlet";
  }

  @Override
  public ElementMatcher<? super ClassLoader> classLoaderMatcher() {
    return new LoaderCanSee("jakarta.servlet.Servlet");
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    // declaresMethod first: it reads only this class file, while hasSuperType resolves the whole
    // hierarchy; a class that declares neither hooked method gets no advice anyway.
    return not(isInterface())
        .and(declaresMethod(SERVICE.or(DO_FILTER)))
        .and(hasSuperType(named("jakarta.servlet.Servlet").or(named("jakarta.servlet.Filter"))));
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(SERVICE, "dev.rainbarrel.agent.instrumentation.servlet.JakartaServletAdvice"),
        new Hook(DO_FILTER, "dev.rainbarrel.agent.instrumentation.servlet.JakartaServletAdvice"));
  }
}
