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
  /** The last answer, read without the lock: class loads come in long runs from one loader. */
  private volatile Last last;

  private record Last(java.lang.ref.WeakReference<ClassLoader> loader, boolean sees) {}

  /** @param className a binary class name, e.g. {@code jakarta.servlet.Servlet} */
  public LoaderCanSee(String className) {
    this.resource = className.replace('.', '/') + ".class";
  }

  /** Whether {@code loader} finds the class file. */
  public boolean matches(ClassLoader loader) {
    if (loader == null) {
      return false;
    }
    Last l = last;
    if (l != null && l.loader().get() == loader) {
      return l.sees();
    }
    boolean sees;
    synchronized (cache) {
      Boolean b = cache.get(loader);
      if (b == null) {
        b = loader.getResource(resource) != null;
        cache.put(loader, b);
      }
      sees = b;
    }
    last = new Last(new java.lang.ref.WeakReference<>(loader), sees);
    return sees;
  }
}
