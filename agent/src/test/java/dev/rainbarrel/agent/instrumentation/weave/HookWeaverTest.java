package dev.rainbarrel.agent.instrumentation.weave;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.agent.instrumentation.HelperInjector;
import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.bootstrap.InFlightSlot;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The weaver on a real class: the woven class and the (catch-all-wrapped) advice are defined in a
 * child loader, so the JVM's verifier checks every frame and handler the weaver wrote.
 */
class HookWeaverTest {

  private static final String TARGET = WeaveTarget.class.getName();
  private static final String A = WeaveAdvice.class.getName() + "$";

  @BeforeEach
  void clear() {
    WeaveLog.CALLS.clear();
  }

  private static HookWeaver.WovenHook hook(MethodMatch m, String advice) {
    return new HookWeaver.WovenHook(m, AdviceClass.read(read(advice)), advice);
  }

  private static byte[] read(String name) {
    return HelperInjector.readClassFile(HookWeaverTest.class.getClassLoader(), name);
  }

  private static Class<?> woven(List<HookWeaver.WovenHook> hooks, List<String> problems) throws Exception {
    return woven(HookWeaver.weave(read(TARGET), hooks, problems::add), hooks);
  }

  private static Class<?> woven(byte[] target, List<HookWeaver.WovenHook> hooks) throws Exception {
    assertNotNull(target, "something was woven");
    Map<String, byte[]> defs = new java.util.HashMap<>();
    defs.put(TARGET, target);
    for (HookWeaver.WovenHook h : hooks) {
      defs.put(h.adviceName(), SuppressingAdvice.rewrite(read(h.adviceName()), WeaveLog.class.getName().replace('.', '/')));
    }
    ClassLoader child = new ClassLoader(HookWeaverTest.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
          Class<?> c = findLoadedClass(name);
          if (c == null && defs.containsKey(name)) {
            byte[] b = defs.get(name);
            c = defineClass(name, b, 0, b.length);
          }
          return c != null ? c : super.loadClass(name, resolve);
        }
      }
    };
    return Class.forName(TARGET, true, child);
  }

  private static Object call(Object target, Class<?> c, String name, Class<?>[] types, Object... args) throws Throwable {
    Method m = c.getMethod(name, types);
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void enterAndExitSeeArgumentsThisFieldsAndTheReturnValue() throws Throwable {
    Class<?> c = woven(List.of(
        hook(MethodMatch.named("greet", 2), A + "Greet"),
        hook(MethodMatch.named("twice", 2), A + "Twice")), new ArrayList<>());
    Object t = c.getConstructor().newInstance();
    assertEquals("hi bob55", call(t, c, "greet", new Class<?>[] {String.class, long.class}, "bob", 5L));
    assertEquals(13.0, call(null, c, "twice", new Class<?>[] {double.class, long.class}, 4.0, 5L));
    assertEquals(List.of("greet enter WeaveTarget bob 5", "greet exit 7 hi bob55 L", "twice enter 4.0 5", "twice exit 13.0"),
        WeaveLog.CALLS);
  }

  @Test
  void onThrowableSeesTheExceptionWhichIsRethrownUnchanged() throws Throwable {
    Class<?> c = woven(List.of(
        hook(MethodMatch.named("fails", 1), A + "Fails"),
        hook(MethodMatch.named("catches", 1), A + "Catches")), new ArrayList<>());
    Object t = c.getConstructor().newInstance();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> call(t, c, "fails", new Class<?>[] {int.class}, 3));
    assertEquals("boom 3", e.getMessage());
    assertEquals(0, call(t, c, "fails", new Class<?>[] {int.class}, 0));
    // the method's own handler comes first: the exception it catches is not "thrown" for the advice
    assertEquals(2, call(t, c, "catches", new Class<?>[] {int.class}, 1));
    assertEquals(1, call(t, c, "catches", new Class<?>[] {int.class}, 0));
    assertEquals(List.of("fails exit 3 0 boom 3", "fails exit 0 0 null", "catches exit 2 null", "catches exit 1 null"),
        WeaveLog.CALLS);
  }

  @Test
  void constructorExitSeesTheInitialisedThisOncePerConstructor() throws Throwable {
    Class<?> c = woven(List.of(hook(MethodMatch.constructor(-1), A + "Constructed")), new ArrayList<>());
    c.getConstructor().newInstance();
    c.getConstructor(String.class).newInstance("x"); // calls this(): both constructors are hooked
    assertEquals(List.of("constructed WeaveTarget", "constructed WeaveTarget", "constructed WeaveTarget"), WeaveLog.CALLS);
  }

  @Test
  void aThrowingAdviceNeverReachesTheHost() throws Throwable {
    Class<?> c = woven(List.of(
        hook(MethodMatch.named("quiet", 0), A + "Broken"),
        hook(MethodMatch.named("fails", 1), A + "Broken")), new ArrayList<>());
    Object t = c.getConstructor().newInstance();
    call(t, c, "quiet", new Class<?>[0]);
    assertEquals(8, c.getField("count").get(t));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> call(t, c, "fails", new Class<?>[] {int.class}, 1));
    assertEquals("boom 1", e.getMessage(), "the host's own exception, not the advice's");
    assertEquals(List.of("broken enter", "suppressed advice bug", "broken exit", "suppressed advice bug",
        "broken enter", "suppressed advice bug", "broken exit", "suppressed advice bug"), WeaveLog.CALLS);
  }

  @Test
  void aHookThatCannotBeWovenLeavesTheMethodAloneAndSaysWhy() throws Throwable {
    List<String> problems = new ArrayList<>();
    Class<?> c = woven(List.of(
        hook(MethodMatch.named("quiet", 0), A + "MissingField"),
        hook(MethodMatch.named("twice", 2), A + "Twice")), problems);
    Object t = c.getConstructor().newInstance();
    call(t, c, "quiet", new Class<?>[0]);
    assertEquals(List.of(), WeaveLog.CALLS);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("no field nope"), problems.get(0));
  }

  @Test
  void nothingMatchingMeansTheClassIsNotRewritten() {
    assertEquals(null, HookWeaver.weave(read(TARGET), List.of(hook(MethodMatch.named("absent", 0), A + "Broken")), p -> {}));
  }

  @Test
  void malformedAdviceIsRefusedWithItsName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdviceClass.read(read(TARGET)));
    assertTrue(e.getMessage().contains("WeaveTarget has no @OnMethodEnter"), e.getMessage());
  }

  @Test
  void aTrackingKeyClassBecomesAnInFlightSlotWithAFieldOfItsOwn() throws Throwable {
    List<HookWeaver.WovenHook> hooks = List.of(hook(MethodMatch.constructor(-1), A + "Constructed"));
    Class<?> c = woven(HookWeaver.weave(read(TARGET), hooks, p -> {}, true), hooks);
    assertTrue(InFlightSlot.class.isAssignableFrom(c), "implements the bridge's interface");
    Object t = c.getConstructor().newInstance();
    assertEquals(List.of("constructed WeaveTarget"), WeaveLog.CALLS, "the hooks are still woven");
    InFlightSlot slot = (InFlightSlot) t;
    assertEquals(0, slot.rainbarrel$getSlot(), "a new object has no slot");
    slot.rainbarrel$setSlot(42);
    assertEquals(42, slot.rainbarrel$getSlot());
    java.lang.reflect.Field f = c.getDeclaredField("rainbarrel$slot");
    int m = f.getModifiers();
    assertTrue(java.lang.reflect.Modifier.isPrivate(m) && java.lang.reflect.Modifier.isTransient(m) && f.isSynthetic(),
        "private, transient, synthetic: " + java.lang.reflect.Modifier.toString(m));
    assertEquals(7, c.getField("count").get(t), "the class's own fields are untouched");
  }

  @Test
  void aClassWovenTwiceGetsOneSlot() throws Throwable {
    List<HookWeaver.WovenHook> hooks = List.of(hook(MethodMatch.named("quiet", 0), A + "Broken"));
    byte[] once = HookWeaver.weave(read(TARGET), hooks, p -> {}, true);
    byte[] twice = HookWeaver.weave(once, hooks, p -> {}, true);
    Class<?> c = woven(twice, hooks);
    assertEquals(1, java.util.Arrays.stream(c.getInterfaces()).filter(i -> i == InFlightSlot.class).count());
    assertEquals(1, java.util.Arrays.stream(c.getDeclaredFields()).filter(f -> f.getName().equals("rainbarrel$slot")).count());
  }

  @Test
  void withoutTheSlotTheClassKeepsItsShape() throws Throwable {
    List<HookWeaver.WovenHook> hooks = List.of(hook(MethodMatch.named("quiet", 0), A + "Broken"));
    Class<?> c = woven(HookWeaver.weave(read(TARGET), hooks, p -> {}, false), hooks);
    assertEquals(0, c.getInterfaces().length);
    assertThrows(NoSuchFieldException.class, () -> c.getDeclaredField("rainbarrel$slot"));
  }

  @Test
  void aHookMeantOnlyWithoutTheSlotIsLeftOutWhereTheSlotIsAdded() throws Throwable {
    HookWeaver.WovenHook placement = new HookWeaver.WovenHook(MethodMatch.constructor(-1),
        AdviceClass.read(read(A + "Constructed")), A + "Constructed", true);
    Class<?> slotted = woven(HookWeaver.weave(read(TARGET), List.of(placement), p -> {}, true), List.of(placement));
    assertTrue(InFlightSlot.class.isAssignableFrom(slotted), "the slot alone is a change worth returning");
    slotted.getConstructor().newInstance();
    assertEquals(List.of(), WeaveLog.CALLS, "not woven where the slot is added");
    Class<?> plain = woven(HookWeaver.weave(read(TARGET), List.of(placement), p -> {}, false), List.of(placement));
    plain.getConstructor().newInstance();
    assertEquals(List.of("constructed WeaveTarget"), WeaveLog.CALLS, "woven where it is not");
  }
}
