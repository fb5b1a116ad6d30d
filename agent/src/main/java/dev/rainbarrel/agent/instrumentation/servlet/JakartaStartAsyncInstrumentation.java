package dev.rainbarrel.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;

import dev.rainbarrel.agent.instrumentation.LoaderCanSee;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** The container's {@code jakarta.servlet.ServletRequest.startAsync} (wrappers excluded). */
public final class JakartaStartAsyncInstrumentation implements TypeInstrumentation {

  private static final ElementMatcher.Junction<MethodDescription> START_ASYNC = named("startAsync")
      .and(returns(named("jakarta.servlet.AsyncContext"))).and(not(isAbstract()));

  @Override
  public String server() {
    return "servlet";
  }

  @Override
  public ElementMatcher<? super ClassLoader> classLoaderMatcher() {
    return new LoaderCanSee("jakarta.servlet.AsyncContext");
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return not(isInterface())
        .and(declaresMethod(START_ASYNC)) // this class file only: cheap, before the hierarchy
        .and(hasSuperType(named("jakarta.servlet.ServletRequest")))
        .and(not(hasSuperType(named("jakarta.servlet.ServletRequestWrapper"))));
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(START_ASYNC, "dev.rainbarrel.agent.instrumentation.servlet.JakartaStartAsyncAdvice"));
  }

  @Override
  public List<String> helpers() {
    return List.of("dev.rainbarrel.agent.instrumentation.servlet.JakartaAsyncListener");
  }
}
