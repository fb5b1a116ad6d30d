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

/** The container's {@code javax.servlet.ServletRequest.startAsync} (wrappers excluded). */
public final class JavaxStartAsyncInstrumentation implements TypeInstrumentation {

  private static final ElementMatcher.Junction<MethodDescription> START_ASYNC = named("startAsync")
      .and(returns(named("javax.servlet.AsyncContext"))).and(not(isAbstract()));

  @Override
  public String server() {
    return "servlet";
  }

  @Override
  public ElementMatcher<? super ClassLoader> classLoaderMatcher() {
    return new LoaderCanSee("javax.servlet.AsyncContext");
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return not(isInterface())
        .and(declaresMethod(START_ASYNC)) // this class file only: cheap, before the hierarchy
        .and(hasSuperType(named("javax.servlet.ServletRequest")))
        .and(not(hasSuperType(named("javax.servlet.ServletRequestWrapper"))));
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(START_ASYNC, "dev.rainbarrel.agent.instrumentation.servlet.JavaxStartAsyncAdvice"));
  }

  @Override
  public List<String> helpers() {
    return List.of("dev.rainbarrel.agent.instrumentation.servlet.JavaxAsyncListener");
  }
}
