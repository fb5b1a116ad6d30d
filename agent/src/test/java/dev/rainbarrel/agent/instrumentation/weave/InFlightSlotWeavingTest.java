package dev.rainbarrel.agent.instrumentation.weave;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.agent.instrumentation.HelperInjector;
import dev.rainbarrel.agent.instrumentation.jdkhttp.JdkHttpServerInstrumentation;
import dev.rainbarrel.bootstrap.InFlightSlot;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
}
