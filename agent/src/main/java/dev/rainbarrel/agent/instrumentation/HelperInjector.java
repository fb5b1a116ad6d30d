package dev.rainbarrel.agent.instrumentation;

import dev.rainbarrel.agent.instrumentation.weave.SuppressingAdvice;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Defines advice and helper classes (e.g. an {@code AsyncListener}) in the class loader of an
 * instrumented type, because they use that loader's copy of a server API. Advice classes are
 * defined as {@link SuppressingAdvice} rewrote them. Uses {@code
 * ClassLoader.defineClass}, made accessible by opening {@code java.lang} to the agent's module
 * through {@link Instrumentation#redefineModule} (no {@code Unsafe}).
 */
public final class HelperInjector {

  private final Method defineClass;
  private final ClassLoader agentLoader = HelperInjector.class.getClassLoader();
  private final Map<ClassLoader, Set<String>> injected = new WeakHashMap<>();
  private final Map<String, byte[]> originals = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, byte[]> rewritten = new java.util.concurrent.ConcurrentHashMap<>();

  /** @throws ReflectiveOperationException if {@code ClassLoader.defineClass} cannot be opened */
  public HelperInjector(Instrumentation inst) throws ReflectiveOperationException {
    Module base = Object.class.getModule();
    inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.lang", Set.of(HelperInjector.class.getModule())),
        Set.of(), Map.of());
    defineClass = ClassLoader.class.getDeclaredMethod(
        "defineClass", String.class, byte[].class, int.class, int.class, ProtectionDomain.class);
    defineClass.setAccessible(true);
  }

  /** Defines {@code names} in {@code loader} once; failures are reported and rethrown. */
  public void inject(ClassLoader loader, List<String> names) {
    if (loader == null || names.isEmpty()) {
      return;
    }
    synchronized (injected) {
      Set<String> done = injected.computeIfAbsent(loader, l -> new HashSet<>());
      for (String name : names) {
        if (done.contains(name)) {
          continue;
        }
        byte[] bytes = bytes(name);
        try {
          defineClass.invoke(loader, name, bytes, 0, bytes.length, HelperInjector.class.getProtectionDomain());
        } catch (ReflectiveOperationException e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          if (!(cause instanceof LinkageError)) { // LinkageError: defined already (e.g. same loader)
            throw new IllegalStateException("cannot define helper " + name + " in " + loader + ": " + cause, cause);
          }
        }
        done.add(name);
      }
    }
  }

  /**
   * Reads and rewrites these classes now (at installation, beside the host's {@code main}) rather
   * than the first time a hooked class loads on one of the host's threads; this also runs ASM a
   * first few times before the host's classes are woven.
   */
  public void prepare(List<String> names) {
    for (String name : names) {
      bytes(name);
    }
  }

  /** The class file to define: advice methods wrapped in their catch-all, computed once per class. */
  private byte[] bytes(String name) {
    return rewritten.computeIfAbsent(name, n -> SuppressingAdvice.rewrite(original(n)));
  }

  /**
   * A class file of the agent jar as compiled, read once: the transformer parses the advice
   * annotations from the same bytes that are then rewritten for defining.
   */
  public byte[] original(String name) {
    return originals.computeIfAbsent(name, n -> readClassFile(agentLoader, n));
  }

  /** A class file of the agent jar, by binary name; {@link IllegalStateException} if missing. */
  public static byte[] readClassFile(ClassLoader agentLoader, String name) {
    String resource = name.replace('.', '/') + ".class";
    try (InputStream in = agentLoader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("class " + resource + " missing from the agent jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource + " from the agent jar: " + e, e);
    }
  }
}
