package dev.rainbarrel.agent.instrumentation.weave;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.agent.instrumentation.HelperInjector;
import dev.rainbarrel.agent.instrumentation.Instrumentations;
import dev.rainbarrel.agent.instrumentation.InFlightKeyInstrumentation;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import dev.rainbarrel.agent.instrumentation.jdkhttp.JdkHttpServerInstrumentation;
import dev.rainbarrel.bootstrap.InFlightSlot;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The transformer's decision on the JDK's own per-request class, read from the running JDK: the
 * slot is added when the class is first loaded, and on a retransformation only if the loaded class
 * has it (the JVM refuses a retransformation that adds or removes a field or an interface).
 */
class InFlightSlotWeavingTest {

  private static final String EXCHANGE = "sun/net/httpserver/ExchangeImpl";
  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

  /** Stands for an {@code ExchangeImpl} that got its slot when it was loaded. */
  abstract static class LoadedWithSlot implements InFlightSlot {}

  private static byte[] jdkClass(String internalName) throws Exception {
    String module = "jdk.httpserver";
    try (InputStream in = URI.create("jrt:/" + module + "/" + internalName + ".class").toURL().openStream()) {
      return in.readAllBytes();
    }
  }

  private static HookTransformer transformer() {
    HookTransformer.Prepared p = new HookTransformer.Prepared(new JdkHttpServerInstrumentation(),
        name -> HelperInjector.readClassFile(InFlightSlotWeavingTest.class.getClassLoader(), name));
    // the platform loader's classes get no injection (their advice is on the bootstrap path) and
    // a null module needs no read edge: neither the injector nor Instrumentation is used
    return new HookTransformer(List.of(p), null, null, null);
  }

  /** Interfaces and field names of a class file. */
  private static List<String> shape(byte[] classFile) {
    List<String> out = new ArrayList<>();
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public void visit(int v, int a, String n, String sig, String sup, String[] interfaces) {
        out.addAll(Arrays.asList(interfaces));
      }

      @Override
      public FieldVisitor visitField(int a, String name, String d, String sig, Object value) {
        out.add(name);
        return null;
      }
    }, ClassReader.SKIP_CODE);
    return out;
  }

  @Test
  void theJdkServersExchangeGetsItsSlotWhenLoaded() throws Exception {
    byte[] original = jdkClass(EXCHANGE);
    byte[] loaded = transformer().transform(null, PLATFORM, EXCHANGE, null, null, original);
    assertNotNull(loaded, "ExchangeImpl is hooked");
    List<String> shape = shape(loaded);
    assertTrue(shape.contains(HookWeaver.SLOT_INTERFACE), shape.toString());
    assertTrue(shape.contains(HookWeaver.SLOT_FIELD), shape.toString());
    List<String> before = new ArrayList<>(shape(original));
    before.add(HookWeaver.SLOT_INTERFACE);
    before.add(HookWeaver.SLOT_FIELD);
    assertEquals(before.size(), shape.size(), "nothing else added: " + shape);
  }

  @Test
  void aRetransformationKeepsTheShapeTheClassWasLoadedWith() throws Exception {
    byte[] original = jdkClass(EXCHANGE);
    HookTransformer t = transformer();
    // loaded before the agent (dynamic attach): no field may be added now
    List<String> plain = shape(t.transform(null, PLATFORM, EXCHANGE, Object.class, null, original));
    assertFalse(plain.contains(HookWeaver.SLOT_INTERFACE), plain.toString());
    assertFalse(plain.contains(HookWeaver.SLOT_FIELD), plain.toString());
    assertEquals(shape(original), plain, "the shape it was loaded with");
    // loaded with the slot (another agent retransforms it later): the slot must be there again
    List<String> slotted = shape(t.transform(null, PLATFORM, EXCHANGE, LoadedWithSlot.class, null, original));
    assertTrue(slotted.contains(HookWeaver.SLOT_INTERFACE) && slotted.contains(HookWeaver.SLOT_FIELD), slotted.toString());
  }

  /** A tracking key with no hooks of its own (Tomcat's facade, Netty's channel, Jetty 9's request). */
  static final class HooklessKey {
    int ownField;
  }

  private static final String HOOKLESS = "dev/rainbarrel/agent/instrumentation/weave/InFlightSlotWeavingTest$HooklessKey";

  private static byte[] testClass(String internalName) throws Exception {
    try (InputStream in = InFlightSlotWeavingTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
      return in.readAllBytes();
    }
  }

  @Test
  void aKeyClassWithoutHooksGetsTheSlotAloneAndOnlyWhenLoaded() throws Exception {
    HookTransformer t = new HookTransformer(List.of(new HookTransformer.Prepared(new InFlightKeyInstrumentation("test", HOOKLESS.replace('/', '.')), name -> null)), null, null, null);
    byte[] original = testClass(HOOKLESS);
    // the platform loader: no advice or helper to inject (there is none anyway) and no module edge
    byte[] loaded = t.transform(null, PLATFORM, HOOKLESS, null, null, original);
    assertNotNull(loaded, "the slot alone is a change");
    List<String> shape = shape(loaded);
    List<String> expected = new ArrayList<>(shape(original));
    expected.add(HookWeaver.SLOT_INTERFACE);
    expected.add(HookWeaver.SLOT_FIELD);
    assertEquals(expected.size(), shape.size(), shape.toString());
    assertTrue(shape.containsAll(expected), shape.toString());
    // loaded before the agent: nothing to weave, the class is left as it is
    assertEquals(null, t.transform(null, PLATFORM, HOOKLESS, Object.class, null, original));
  }

  /**
   * A key class must be among its instrumentation's {@code typeNames()}: the transformer looks
   * classes up there, and a key named only in {@code inFlightKeyTypes()} would silently never get
   * its field.
   */
  @Test
  void everyKeyClassIsOneOfItsInstrumentationsTypes() {
    int keys = 0;
    for (TypeInstrumentation ti : Instrumentations.all()) {
      for (String key : ti.inFlightKeyTypes()) {
        assertTrue(ti.typeNames().contains(key), ti.getClass().getSimpleName() + ": " + key);
        keys++;
      }
    }
    assertTrue(keys >= 9, "ExchangeImpl, Jetty 12's and 9's request, Undertow's exchange, Tomcat's facade,"
        + " Netty's NIO, epoll and io_uring channels and its stream channel: " + keys);
  }
}
