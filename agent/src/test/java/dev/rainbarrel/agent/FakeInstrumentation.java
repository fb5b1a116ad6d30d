package dev.rainbarrel.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** An {@link Instrumentation} that records transformer (un)registrations and serves loaded classes. */
public final class FakeInstrumentation {
  /** Every addTransformer/removeTransformer call, as "add true|false"/"remove". */
  public final List<String> calls = new ArrayList<>();
  /** The transformers currently registered. */
  public final List<ClassFileTransformer> registered = new ArrayList<>();
  private final Supplier<Class<?>[]> loaded;

  public FakeInstrumentation(Supplier<Class<?>[]> loaded) {
    this.loaded = loaded;
  }

  /** The proxy to hand to the code under test. */
  public Instrumentation instrumentation() {
    return (Instrumentation) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Instrumentation.class}, (p, m, args) -> {
          synchronized (this) {
            switch (m.getName()) {
              case "addTransformer" -> {
                calls.add("add " + (args.length > 1 && (Boolean) args[1]));
                registered.add((ClassFileTransformer) args[0]);
                return null;
              }
              case "removeTransformer" -> {
                calls.add("remove");
                return registered.remove((ClassFileTransformer) args[0]);
              }
              case "getAllLoadedClasses" -> {
                return loaded.get();
              }
              default -> throw new UnsupportedOperationException(m.getName());
            }
          }
        });
  }
}
