package dev.rainbarrel.agent.instrumentation.weave;

import dev.rainbarrel.agent.AgentLog;
import dev.rainbarrel.agent.instrumentation.HelperInjector;
import dev.rainbarrel.agent.instrumentation.LoaderCanSee;
import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import dev.rainbarrel.bootstrap.InFlightSlot;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;

/**
 * The agent's one {@link ClassFileTransformer}. For each class being loaded (or retransformed) it
 * decides cheaply whether any hook could apply, and only then parses the class:
 *
 * <ol>
 *   <li>hooks by exact class name: one hash lookup;
 *   <li>hooks by super type (servlet API): only for class loaders that can see the API, and only
 *       for class files that contain the hooked method's parameter or return type as bytes (it must
 *       be in the method's descriptor); then the super types are read from class files ({@link
 *       SuperTypes});
 *   <li>{@link HookWeaver} adds the advice calls; the advice and helper classes are defined in the
 *       class's loader first ({@link HelperInjector}; JDK classes find theirs on the bootstrap
 *       path), and a named module gets a read edge to them.
 * </ol>
 *
 * <p>Any failure leaves the class as it was and is reported once per class: a hook that fails
 * turns itself off for that class and never breaks the host.
 */
public final class HookTransformer implements ClassFileTransformer {

  /** Name prefixes (internal form) never hooked by super type. */
  static final List<String> IGNORED_PREFIXES = List.of(
      "dev/rainbarrel/", "java/", "javax/management/", "jdk/", "sun/", "com/sun/", "org/objectweb/asm/");

  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

  private final Map<String, List<Prepared>> byName = new HashMap<>();
  private final List<Prepared> bySuperType = new ArrayList<>();
  private final HelperInjector injector;
  private final Instrumentation inst;
  private final Module bridgeModule;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();
  /**
   * Per class loader (weakly held; null = the boot loader), the names of the hookable classes
   * this transformer has seen, loaded or retransformed: see {@link #retransformLoaded}. Kept only
   * until that has run: nothing reads it afterwards.
   */
  private final Map<ClassLoader, Set<String>> seenCandidates = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
  private volatile boolean recordingSeen = true;
  private final SuperTypes hierarchies = new SuperTypes();

  /** One instrumentation, ready to weave. */
  public static final class Prepared {
    final TypeInstrumentation instrumentation;
    final List<HookWeaver.WovenHook> hooks = new ArrayList<>();
    /** Advice and helper classes (binary names) defined next to each woven class. */
    public final List<String> classesToDefine = new ArrayList<>();
    final Set<String> superTypes = new HashSet<>();
    final Set<String> excludedSuperTypes = new HashSet<>();
    /** Internal names of the classes that get an in-flight slot field when first loaded. */
    final Set<String> keyTypes = new HashSet<>();
    final LoaderCanSee canSee;
    /** The required class's package ({@code jakarta/servlet/}): in every class that could match. */
    final ByteSearch anchor;
    final ByteSearch[] needles;

    /**
     * Reads the advice classes through {@code classFiles} (binary name to class file); {@link
     * IllegalArgumentException} if one is
     * missing or malformed.
     */
    public Prepared(TypeInstrumentation ti, java.util.function.Function<String, byte[]> classFiles) {
      this.instrumentation = ti;
      Set<String> needleSet = new HashSet<>();
      boolean anyMethod = false;
      for (TypeInstrumentation.Hook h : ti.hooks()) {
        AdviceClass advice = AdviceClass.read(classFiles.apply(h.adviceClass()));
        hooks.add(new HookWeaver.WovenHook(h.methods(), advice, h.adviceClass(), h.onlyWithoutSlot()));
        if (!classesToDefine.contains(h.adviceClass())) {
          classesToDefine.add(h.adviceClass());
        }
        String needle = h.methods().requiredDescriptor();
        if (needle == null) {
          anyMethod = true;
        } else {
          needleSet.add(needle);
        }
      }
      for (String helper : ti.helpers()) {
        if (!classesToDefine.contains(helper)) {
          classesToDefine.add(helper);
        }
      }
      for (String s : ti.superTypes()) {
        superTypes.add(s.replace('.', '/'));
      }
      for (String s : ti.excludedSuperTypes()) {
        excludedSuperTypes.add(s.replace('.', '/'));
      }
      for (String s : ti.inFlightKeyTypes()) {
        keyTypes.add(s.replace('.', '/'));
      }
      canSee = ti.requiredClass() == null ? null : new LoaderCanSee(ti.requiredClass());
      String required = ti.requiredClass() == null ? null : ti.requiredClass().replace('.', '/');
      anchor = required == null || required.indexOf('/') < 0 ? null
          : new ByteSearch(required.substring(0, required.lastIndexOf('/') + 1));
      if (anyMethod) {
        needles = null;
      } else {
        needles = new ByteSearch[needleSet.size()];
        int i = 0;
        for (String n : needleSet) {
          needles[i++] = new ByteSearch(n);
        }
      }
    }

    boolean loaderSees(ClassLoader loader) {
      return loader != null && (canSee == null || canSee.matches(loader));
    }

    /**
     * The byte pre-filter: the API's package must be in the class file (one pass, which nearly
     * every class fails), then one of the hooked methods' descriptors.
     */
    boolean mayDeclareHookedMethod(byte[] classFile) {
      if (anchor != null && !anchor.in(classFile)) {
        return false;
      }
      if (needles == null) {
        return true;
      }
      for (ByteSearch n : needles) {
        if (n.in(classFile)) {
          return true;
        }
      }
      return false;
    }
  }

  public HookTransformer(List<Prepared> prepared, HelperInjector injector, Instrumentation inst, Module bridgeModule) {
    this.injector = injector;
    this.inst = inst;
    this.bridgeModule = bridgeModule;
    for (Prepared p : prepared) {
      for (String name : p.instrumentation.typeNames()) {
        byName.computeIfAbsent(name.replace('.', '/'), k -> new ArrayList<>()).add(p);
      }
      if (!p.superTypes.isEmpty()) {
        bySuperType.add(p);
      }
    }
  }

  /** Time spent in {@link #transform} and classes seen, for the start-up report. */
  private final java.util.concurrent.atomic.LongAdder nanos = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder seen = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder woven = new java.util.concurrent.atomic.LongAdder();
  /** The parts of {@link #nanos} spent reading super types and weaving (the rest: the byte pre-filter). */
  private final java.util.concurrent.atomic.LongAdder superTypeNanos = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder weaveNanos = new java.util.concurrent.atomic.LongAdder();

  /**
   * "N classes seen, M woven, T ms (super types S, weaving W)" so far (docs:
   * -Drainbarrel.debug.startup=true).
   */
  public String costSoFar() {
    return seen.sum() + " classes seen, " + woven.sum() + " woven, " + nanos.sum() / 1_000_000 + " ms (super types "
        + superTypeNanos.sum() / 1_000_000 + ", weaving " + weaveNanos.sum() / 1_000_000 + ")";
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> beingRedefined,
      ProtectionDomain pd, byte[] classFile) {
    long t0 = System.nanoTime();
    try {
      byte[] out = decide(module, loader, className, beingRedefined, classFile);
      if (out != null) {
        woven.increment();
      }
      return out;
    } finally {
      seen.increment();
      nanos.add(System.nanoTime() - t0);
    }
  }

  private byte[] decide(Module module, ClassLoader loader, String className, Class<?> beingRedefined, byte[] classFile) {
    if (className == null) {
      return null;
    }
    List<Prepared> exact = byName.get(className);
    List<Prepared> hierarchy = null;
    if (!bySuperType.isEmpty() && loader != null && !ignored(className)) {
      for (Prepared p : bySuperType) {
        if (p.loaderSees(loader) && p.mayDeclareHookedMethod(classFile)) {
          if (hierarchy == null) {
            hierarchy = new ArrayList<>(2);
          }
          hierarchy.add(p);
        }
      }
    }
    if (exact == null && hierarchy == null) {
      return null;
    }
    if (recordingSeen) {
      seenCandidates.computeIfAbsent(loader, l -> ConcurrentHashMap.newKeySet()).add(className);
    }
    try {
      List<Prepared> apply = new ArrayList<>();
      if (exact != null) {
        apply.addAll(exact);
      }
      if (hierarchy != null) {
        long h0 = System.nanoTime();
        try {
          addMatchingHierarchies(loader, className, classFile, hierarchy, apply);
        } finally {
          superTypeNanos.add(System.nanoTime() - h0);
        }
      }
      if (apply.isEmpty()) {
        return null;
      }
      long w0 = System.nanoTime();
      try {
        return weave(module, loader, className, beingRedefined, classFile, apply);
      } finally {
        weaveNanos.add(System.nanoTime() - w0);
      }
    } catch (Throwable t) {
      report(className, "could not instrument " + className.replace('/', '.') + " (" + t + "); that hook is off there");
      return null;
    }
  }

  /** Adds to {@code apply} the pre-filtered hooks whose super types the class really has. */
  private void addMatchingHierarchies(ClassLoader loader, String className, byte[] classFile, List<Prepared> hierarchy,
      List<Prepared> apply) {
    ClassReader header = new ClassReader(classFile);
    if ((header.getAccess() & Opcodes.ACC_INTERFACE) != 0) {
      return;
    }
    for (Prepared p : hierarchy) {
      if (hierarchies.hasAny(loader, className, header.getSuperName(), header.getInterfaces(), p.superTypes)
          && !(p.excludedSuperTypes.size() > 0
              && hierarchies.hasAny(loader, className, header.getSuperName(), header.getInterfaces(), p.excludedSuperTypes))) {
        apply.add(p);
      }
    }
  }

  /** Weaves the matching hooks into the class and defines their advice where it loads. */
  private byte[] weave(Module module, ClassLoader loader, String className, Class<?> beingRedefined, byte[] classFile,
      List<Prepared> apply) {
    List<HookWeaver.WovenHook> hooks = new ArrayList<>();
    List<String> define = new ArrayList<>();
    boolean keyType = false;
    for (Prepared p : apply) {
      hooks.addAll(p.hooks);
      define.addAll(p.classesToDefine);
      keyType |= p.keyTypes.contains(className);
    }
    byte[] rewritten = HookWeaver.weave(classFile, hooks, problem -> report(className + "#" + problem, problem),
        keyType && slotAllowed(beingRedefined));
    if (rewritten == null) {
      return null;
    }
    if (loader != null && loader != PLATFORM) {
      injector.inject(loader, define); // JDK classes: the advice is on the bootstrap path (BootstrapJar)
    }
    ensureReads(module, loader);
    return rewritten;
  }

  /**
   * A new field is allowed when the class is first loaded; a retransformation must leave fields
   * and interfaces as they are, so it re-adds the slot exactly when the loaded class has it (the
   * JVM hands every retransformation the class file as it was before any transformer).
   */
  static boolean slotAllowed(Class<?> beingRedefined) {
    return beingRedefined == null || InFlightSlot.class.isAssignableFrom(beingRedefined);
  }

  /** The JDK's modules (and any other named module) must read the bridge and the injected advice. */
  private void ensureReads(Module module, ClassLoader loader) {
    if (module == null || !module.isNamed()) {
      return;
    }
    Set<Module> reads = new HashSet<>();
    if (!module.canRead(bridgeModule)) {
      reads.add(bridgeModule);
    }
    if (loader != null && !module.canRead(loader.getUnnamedModule())) {
      reads.add(loader.getUnnamedModule());
    }
    if (!reads.isEmpty()) {
      inst.redefineModule(module, reads, Map.of(), Map.of(), Set.of(), Map.of());
    }
  }

  /**
   * Retransforms the classes loaded before this transformer was added (all of them at a dynamic
   * attach; at premain the few JDK classes loaded so far). The transformer must be added first,
   * so a class loaded meanwhile is not missed.
   *
   * <p>Two passes. A class whose load had passed the transformers just before this one was added,
   * but which the JVM listed as loaded only after the first pass took its list, would be seen by
   * neither (a host thread loading a hooked class while the hooks install beside its {@code main};
   * it happened once in CI on a loaded machine: a Jetty 11 server counted no request at all). The
   * second pass lists the loaded classes again, after the first pass's retransformations, and
   * retransforms the hookable ones this transformer has still not seen.
   */
  public void retransformLoaded() {
    retransform(candidates(false));
    retransform(candidates(true));
    recordingSeen = false; // every later load goes through transform() anyway
    seenCandidates.clear();
  }

  /** The loaded classes hooks could apply to; {@code unseenOnly}: those this transformer never saw. */
  List<Class<?>> candidates(boolean unseenOnly) {
    List<Class<?>> batch = new ArrayList<>();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      try {
        if (isCandidate(c) && !(unseenOnly && seen(c))) {
          batch.add(c);
        }
      } catch (Throwable t) {
        // a class whose hierarchy cannot be walked is not a candidate
      }
    }
    return batch;
  }

  private boolean seen(Class<?> c) {
    Set<String> names = seenCandidates.get(c.getClassLoader());
    return names != null && names.contains(c.getName().replace('.', '/'));
  }

  private void retransform(List<Class<?>> batch) {
    if (batch.isEmpty()) {
      return;
    }
    try {
      inst.retransformClasses(batch.toArray(new Class<?>[0]));
    } catch (Throwable batchFailure) {
      for (Class<?> c : batch) {
        try {
          inst.retransformClasses(c);
        } catch (Throwable t) {
          report(c.getName(), "could not instrument " + c.getName() + " (" + t + "); that hook is off there");
        }
      }
    }
  }

  boolean isCandidate(Class<?> c) {
    if (c.isArray() || c.isPrimitive() || !inst.isModifiableClass(c)) {
      return false;
    }
    String internal = c.getName().replace('.', '/');
    if (byName.containsKey(internal)) {
      return true;
    }
    ClassLoader loader = c.getClassLoader();
    if (bySuperType.isEmpty() || loader == null || c.isInterface() || ignored(internal)) {
      return false;
    }
    for (Prepared p : bySuperType) {
      if (p.loaderSees(loader) && hasLoadedSuperType(c, p.superTypes) && !hasLoadedSuperType(c, p.excludedSuperTypes)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasLoadedSuperType(Class<?> c, Set<String> internalNames) {
    if (internalNames.isEmpty()) {
      return false;
    }
    ArrayDeque<Class<?>> todo = new ArrayDeque<>();
    todo.add(c);
    Set<Class<?>> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      Class<?> t = todo.poll();
      if (!seen.add(t)) {
        continue;
      }
      if (internalNames.contains(t.getName().replace('.', '/'))) {
        return true;
      }
      if (t.getSuperclass() != null) {
        todo.add(t.getSuperclass());
      }
      for (Class<?> i : t.getInterfaces()) {
        todo.add(i);
      }
    }
    return false;
  }

  static boolean ignored(String internalName) {
    for (String prefix : IGNORED_PREFIXES) {
      if (internalName.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private void report(String key, String message) {
    if (reported.add(key)) {
      AgentLog.error(message);
    }
  }
}
