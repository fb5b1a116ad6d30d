package dev.rainbarrel.agent.instrumentation;

import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * One hook: which types, which methods, which advice class (by name: advice is inlined, never
 * loaded into the agent's class loader, so it may reference the server's types). OpenTelemetry
 * agent style: one implementation per hook, one folder per server.
 */
public interface TypeInstrumentation {

  /** The {@code servers=} name that switches this hook on. */
  String server();

  /** The types to transform. Keep it cheap: it runs for every class loaded. */
  ElementMatcher<? super TypeDescription> typeMatcher();

  /** Class loaders worth looking at (e.g. those that can see the servlet API). */
  default ElementMatcher<? super ClassLoader> classLoaderMatcher() {
    return ElementMatchers.any();
  }

  /** Method matcher → advice class name, applied in order. */
  List<Hook> hooks();

  /**
   * Classes (by binary name, from the agent jar) to define in the transformed type's class loader
   * before the advice runs there, e.g. an {@code AsyncListener} implementation.
   */
  default List<String> helpers() {
    return List.of();
  }

  /** A method matcher and the advice inlined into the matching methods. */
  record Hook(ElementMatcher<? super MethodDescription> methods, String adviceClass) {}
}
