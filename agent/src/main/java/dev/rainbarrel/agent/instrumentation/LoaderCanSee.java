package dev.rainbarrel.agent.instrumentation;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * Whether a class loader (never the bootstrap loader) can see a class, e.g. {@code
 * jakarta/servlet/Servlet.class}: the cheap pre-check before reading any class hierarchy. Answers
 * are cached per loader (weakly: loaders of undeployed applications can go away).
 */
public final class LoaderCanSee {

  private final String resource;
  private final Map<ClassLoader, Boolean> cache = new WeakHashMap<>();

  /** @param className a binary class name, e.g. {@code jakarta.servlet.Servlet} */
  public LoaderCanSee(String className) {
    this.resource = className.replace('.', '/') + ".class";
  }

  /** Whether {@code loader} finds the class file. */
  public boolean matches(ClassLoader loader) {
    if (loader == null) {
      return false;
    }
    synchronized (cache) {
      Boolean b = cache.get(loader);
      if (b == null) {
        b = loader.getResource(resource) != null;
        cache.put(loader, b);
      }
      return b;
    }
  }
}
