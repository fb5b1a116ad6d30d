package dev.rainbarrel.agent.instrumentation.weave;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.objectweb.asm.ClassReader;

/**
 * Answers "does this class have one of these super types?" while the class is being loaded, when
 * its super types may not be loaded yet: the super class and interface names are read from the
 * class files the class loader finds ({@code getResourceAsStream}), never by loading a class.
 * Headers read are cached per class loader (weakly), at most {@link #MAX_PER_LOADER} names each;
 * {@code java.*} types are never read (no hooked type is one).
 */
public final class SuperTypes {

  static final int MAX_PER_LOADER = 4096;
  /** Bounds a walk through a broken or cyclic hierarchy. */
  static final int MAX_TYPES_PER_QUERY = 256;
  private static final String[] UNKNOWN = new String[0];

  private final Map<ClassLoader, Map<String, String[]>> headers = new WeakHashMap<>();

  /**
   * Whether the class itself or one of its super types is in {@code targets}.
   *
   * @param self internal name of the class
   * @param superName internal name of the class's super class (null for {@code Object})
   * @param interfaces internal names of its interfaces
   * @param targets internal names looked for
   */
  public boolean hasAny(ClassLoader loader, String self, String superName, String[] interfaces, Set<String> targets) {
    if (targets.contains(self)) {
      return true;
    }
    ArrayDeque<String> todo = new ArrayDeque<>();
    Set<String> seen = new HashSet<>();
    if (superName != null) {
      todo.add(superName);
    }
    for (String i : interfaces) {
      todo.add(i);
    }
    while (!todo.isEmpty() && seen.size() < MAX_TYPES_PER_QUERY) {
      String t = todo.poll();
      if (!seen.add(t)) {
        continue;
      }
      if (targets.contains(t)) {
        return true;
      }
      if (t.startsWith("java/")) {
        continue;
      }
      for (String s : header(loader, t)) {
        if (s != null) {
          todo.add(s);
        }
      }
    }
    return false;
  }

  /** {super, interfaces...} of a type as its loader's class file says, or empty if not found. */
  private String[] header(ClassLoader loader, String type) {
    Map<String, String[]> cache;
    synchronized (headers) {
      cache = headers.computeIfAbsent(loader, l -> new HashMap<>());
      String[] h = cache.get(type);
      if (h != null) {
        return h;
      }
    }
    String[] h = read(loader, type);
    synchronized (headers) {
      if (cache.size() >= MAX_PER_LOADER) {
        cache.clear();
      }
      cache.put(type, h);
    }
    return h;
  }

  private static String[] read(ClassLoader loader, String type) {
    String resource = type + ".class";
    try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource) : loader.getResourceAsStream(resource)) {
      if (in == null) {
        return UNKNOWN;
      }
      ClassReader r = new ClassReader(in.readAllBytes());
      String[] interfaces = r.getInterfaces();
      String[] h = new String[interfaces.length + 1];
      h[0] = r.getSuperName();
      System.arraycopy(interfaces, 0, h, 1, interfaces.length);
      return h;
    } catch (IOException | RuntimeException e) {
      return UNKNOWN; // unreadable: treated as a type without super types
    }
  }
}
