package dev.rainbarrel.agent.instrumentation;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.URL;
import java.net.URLClassLoader;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

class PerLoaderTypePoolCacheTest {

  @Test
  void oneBoundedCachePerLoader() throws Exception {
    PerLoaderTypePoolCache strategy = new PerLoaderTypePoolCache();
    try (URLClassLoader a = new URLClassLoader(new URL[0]); URLClassLoader b = new URLClassLoader(new URL[0])) {
      assertSame(strategy.locate(a), strategy.locate(a));
      assertNotSame(strategy.locate(a), strategy.locate(b));
      assertSame(strategy.locate(null), strategy.locate(null), "the bootstrap loader has its own");
      assertNotSame(strategy.locate(null), strategy.locate(a));
    }
  }

  @Test
  void keepsTheFirstResolutionAndEmptiesItselfWhenFull() {
    PerLoaderTypePoolCache.Bounded cache = new PerLoaderTypePoolCache.Bounded();
    TypePool.Resolution first = new TypePool.Resolution.Illegal("x.First");
    assertSame(first, cache.register("x.First", first));
    assertSame(first, cache.register("x.First", new TypePool.Resolution.Illegal("x.First")), "first one wins");
    assertSame(first, cache.find("x.First"));
    for (int i = 1; i < PerLoaderTypePoolCache.MAX_TYPES_PER_LOADER; i++) {
      cache.register("x.T" + i, new TypePool.Resolution.Illegal("x.T" + i));
    }
    assertSame(first, cache.find("x.First"), "still there at the bound");
    cache.register("x.Over", new TypePool.Resolution.Illegal("x.Over"));
    assertNull(cache.find("x.First"), "emptied when full");
    assertNull(cache.find("x.T1"));
    cache.clear();
    assertNull(cache.find("x.Over"));
  }
}
