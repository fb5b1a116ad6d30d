package dev.rainbarrel.agent.instrumentation;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.pool.TypePool;

/**
 * Keeps the type descriptions ByteBuddy parses while matching, per class loader, across the classes
 * being loaded. Without it every class of a loader that can see a servlet API has its whole
 * super-type hierarchy re-read and re-parsed from the loader's jars (the servlet matchers walk it
 * three times per class) - seconds of CPU for a Spring Boot start. Loaders are held weakly
 * (undeployed applications can go away) and each loader's cache is bounded: when it holds
 * {@link #MAX_TYPES_PER_LOADER} types it is emptied and refilled, so the agent's heap stays small
 * while the common super types (loaded close together in time) stay cached.
 */
final class PerLoaderTypePoolCache extends AgentBuilder.PoolStrategy.WithTypePoolCache {
  /** Per loader; a description in FAST mode is at most a few KB. */
  static final int MAX_TYPES_PER_LOADER = 2048;

  private final Map<ClassLoader, TypePool.CacheProvider> caches = new WeakHashMap<>();
  private final TypePool.CacheProvider bootstrap = new Bounded();

  PerLoaderTypePoolCache() {
    super(TypePool.Default.ReaderMode.FAST);
  }

  @Override
  protected TypePool.CacheProvider locate(ClassLoader loader) {
    if (loader == null) {
      return bootstrap;
    }
    synchronized (caches) {
      TypePool.CacheProvider c = caches.get(loader);
      if (c == null) {
        c = new Bounded();
        caches.put(loader, c);
      }
      return c;
    }
  }

  /** A cache that empties itself when full. */
  static final class Bounded implements TypePool.CacheProvider {
    private final ConcurrentHashMap<String, TypePool.Resolution> types = new ConcurrentHashMap<>();

    @Override
    public TypePool.Resolution find(String name) {
      return types.get(name);
    }

    @Override
    public TypePool.Resolution register(String name, TypePool.Resolution resolution) {
      if (types.size() >= MAX_TYPES_PER_LOADER) {
        types.clear();
      }
      TypePool.Resolution cached = types.putIfAbsent(name, resolution);
      return cached == null ? resolution : cached;
    }

    @Override
    public void clear() {
      types.clear();
    }
  }
}
