package dev.rainbarrel.agent.instrumentation;

import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Matches class loaders (never the bootstrap loader) that can see a resource, e.g. {@code
 * jakarta/servlet/Servlet.class}: the cheap pre-check before an expensive super-type matcher.
 * Answers are cached per loader (weakly: loaders of undeployed applications can go away).
 */
public final class LoaderCanSee extends ElementMatcher.Junction.AbstractBase<ClassLoader> {

  private final String resource;
  private final Map<ClassLoader, Boolean> cache = new WeakHashMap<>();

  /** @param className a binary class name, e.g. {@code jakarta.servlet.Servlet} */
  public LoaderCanSee(String className) {
    this.resource = className.replace('.', '/') + ".class";
  }

  @Override
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
