package dev.rainbarrel.agent.instrumentation;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import net.bytebuddy.agent.builder.AgentBuilder;

/**
 * Which already-loaded classes ByteBuddy looks at when the hooks are installed: only those the
 * agent could transform. The classes of the bootstrap and platform loaders (except the few JDK
 * classes the agent hooks) and the agent's own are dropped by class loader and name before any
 * {@code TypeDescription} is built; ByteBuddy's default is to describe and match every loaded class
 * (some 3000 at premain, most of the hook installation time). The agent builder's ignore matchers
 * still apply to what is left, so this changes the cost, not what is transformed.
 */
final class LoadedCandidates implements AgentBuilder.RedefinitionStrategy.DiscoveryStrategy {

  /** JDK classes the agent hooks (everything else of the bootstrap and platform loaders is skipped). */
  static final Set<String> JDK_TARGETS = Set.of(
      "sun.nio.ch.ServerSocketChannelImpl",
      "sun.nio.ch.NioSocketImpl",
      "sun.net.httpserver.ExchangeImpl",
      "sun.net.httpserver.WriteFinishedEvent",
      "sun.net.httpserver.Event$WriteFinished",
      "com.sun.net.httpserver.Filter$Chain");

  /** Name prefixes never transformed, whatever the loader. */
  static final List<String> IGNORED_PREFIXES = List.of(
      "dev.rainbarrel.", "net.bytebuddy.", "java.", "jdk.internal.", "sun.reflect.", "com.sun.proxy.", "jdk.proxy");

  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

  /** Re-queries after the first batch, at most this many times, for classes loaded meanwhile. */
  static final int MAX_ROUNDS = 10;

  /**
   * The candidates loaded now, then those loaded while the previous batch was being transformed
   * (the hooks may be installed while the host starts: its {@code main} keeps loading classes), until
   * a query finds no new one.
   */
  @Override
  public Iterable<Iterable<Class<?>>> resolve(Instrumentation instrumentation) {
    return () -> new Iterator<>() {
      private final Set<Class<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      private List<Class<?>> next;
      private int rounds;

      @Override
      public boolean hasNext() {
        if (next == null && rounds < MAX_ROUNDS) {
          rounds++;
          List<Class<?>> batch = new ArrayList<>();
          for (Class<?> c : instrumentation.getAllLoadedClasses()) {
            if (isCandidate(c) && seen.add(c)) {
              batch.add(c);
            }
          }
          next = batch.isEmpty() ? null : batch;
          if (next == null) {
            rounds = MAX_ROUNDS; // nothing new: done
          }
        }
        return next != null;
      }

      @Override
      public Iterable<Class<?>> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Iterable<Class<?>> b = next;
        next = null;
        return b;
      }
    };
  }

  static boolean isCandidate(Class<?> c) {
    if (c.isArray() || c.isPrimitive()) {
      return false;
    }
    String name = c.getName();
    ClassLoader loader = c.getClassLoader();
    if (loader == null || loader == PLATFORM) {
      return JDK_TARGETS.contains(name);
    }
    for (String prefix : IGNORED_PREFIXES) {
      if (name.startsWith(prefix)) {
        return false;
      }
    }
    return true;
  }
}
