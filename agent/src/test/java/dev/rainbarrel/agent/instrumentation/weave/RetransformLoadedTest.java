package dev.rainbarrel.agent.instrumentation.weave;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rainbarrel.agent.instrumentation.HelperInjector;
import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link HookTransformer#retransformLoaded()} against a stand-in {@link Instrumentation} that
 * reports which classes are loaded, call by call: a hookable class that the JVM lists only after
 * the first pass, and that the transformer never saw load, is retransformed by the second pass; a
 * class the transformer saw is not retransformed twice.
 */
class RetransformLoadedTest {

  /** Hooks {@link WeaveTarget} by name (with a method it lacks: nothing is woven, nothing injected). */
  static final class TargetByName implements TypeInstrumentation {
    @Override
    public String server() {
      return "test";
    }

    @Override
    public Set<String> typeNames() {
      return Set.of(WeaveTarget.class.getName());
    }

    @Override
    public List<Hook> hooks() {
      return List.of(new Hook(MethodMatch.named("absent", 0), WeaveAdvice.class.getName() + "$Broken"));
    }
  }

  /** The stand-in: {@code loaded.apply(n)} lists the loaded classes at the n-th call (0-based). */
  private static Instrumentation instrumentation(IntFunction<Class<?>[]> loaded, List<List<Class<?>>> retransformed) {
    int[] calls = {0};
    return (Instrumentation) Proxy.newProxyInstance(RetransformLoadedTest.class.getClassLoader(),
        new Class<?>[] {Instrumentation.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "getAllLoadedClasses":
              return loaded.apply(calls[0]++);
            case "isModifiableClass":
              return true;
            case "retransformClasses":
              retransformed.add(List.of((Class<?>[]) args[0]));
              return null;
            default:
              throw new UnsupportedOperationException(method.getName());
          }
        });
  }

  private static HookTransformer transformer(Instrumentation inst) {
    HookTransformer.Prepared p = new HookTransformer.Prepared(new TargetByName(),
        name -> HelperInjector.readClassFile(RetransformLoadedTest.class.getClassLoader(), name));
    return new HookTransformer(List.of(p), null, inst, null);
  }

  @Test
  void aClassListedOnlyAfterTheFirstPassAndNeverSeenIsRetransformedByTheSecond() {
    List<List<Class<?>>> retransformed = new ArrayList<>();
    Instrumentation inst = instrumentation(
        n -> n == 0 ? new Class<?>[0] : new Class<?>[] {WeaveTarget.class, String.class}, retransformed);
    transformer(inst).retransformLoaded();
    assertEquals(List.of(List.of(WeaveTarget.class)), retransformed);
  }

  @Test
  void aClassTheTransformerSawIsNotRetransformedAgain() {
    List<List<Class<?>>> retransformed = new ArrayList<>();
    Instrumentation inst = instrumentation(n -> new Class<?>[] {WeaveTarget.class}, retransformed);
    HookTransformer t = transformer(inst);
    // the first pass retransforms it; the JVM then hands its class file to the transformer
    t.transform(null, WeaveTarget.class.getClassLoader(), WeaveTarget.class.getName().replace('.', '/'),
        WeaveTarget.class, null, HelperInjector.readClassFile(getClass().getClassLoader(), WeaveTarget.class.getName()));
    t.retransformLoaded();
    assertEquals(List.of(List.of(WeaveTarget.class)), retransformed, "once, in the first pass");
  }
}
