package dev.rainbarrel.agent.instrumentation.weave;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Weaves advice calls into one class (never an interface): each method with code that a {@link MethodMatch}
 * accepts gets that hook's advice (the first matching hook wins). A hook that cannot be woven into
 * a method (a field it reads is not declared there, an argument it wants does not exist) leaves
 * that method as it was and is reported through {@code problems}; the other methods are still
 * hooked.
 */
public final class HookWeaver {

  /** A method matcher with its parsed advice. */
  public record WovenHook(MethodMatch methods, AdviceClass advice, String adviceName, boolean onlyWithoutSlot) {
    public WovenHook(MethodMatch methods, AdviceClass advice, String adviceName) {
      this(methods, advice, adviceName, false);
    }
  }

  /** A field declared in the class being woven. */
  record Field(String descriptor, boolean isStatic) {}

  private HookWeaver() {}

  /** The interface a tracking-key class gets (see {@link dev.rainbarrel.bootstrap.InFlightSlot}). */
  static final String SLOT_INTERFACE = "dev/rainbarrel/bootstrap/InFlightSlot";

  /** The field behind it: synthetic and transient, so serial forms and reflection users skip it. */
  static final String SLOT_FIELD = "rainbarrel$slot";

  /**
   * @return the new class file, or null when no method matched (the class stays as it is)
   */
  public static byte[] weave(byte[] classFile, List<WovenHook> hooks, Consumer<String> problems) {
    return weave(classFile, hooks, problems, false);
  }

  /**
   * @param addSlot also make the class an {@code InFlightSlot}: an {@code int} field and its two
   *     accessors. Only where the JVM allows a new field: when the class is first loaded, or when
   *     it is retransformed and got the same members at load (a retransformation must not change
   *     the class's fields, interfaces or methods).
   * @return the new class file, or null when no method matched (the class stays as it is)
   */
  public static byte[] weave(byte[] classFile, List<WovenHook> hooks, Consumer<String> problems, boolean addSlot) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    Visitor v = new Visitor(writer, hooks, problems, addSlot);
    reader.accept(v, ClassReader.EXPAND_FRAMES);
    return v.woven.isEmpty() && !v.slotAdded ? null : writer.toByteArray();
  }

  /** Collects the fields, then hooks the matching methods. */
  private static final class Visitor extends ClassVisitor {
    private final List<WovenHook> hooks;
    private final Consumer<String> problems;
    private final Map<String, Field> fields = new HashMap<>();
    final List<String> woven = new ArrayList<>();
    private int version;
    private boolean isInterface;
    private String owner;

    private boolean addSlot;
    boolean slotAdded;

    Visitor(ClassWriter writer, List<WovenHook> hooks, Consumer<String> problems, boolean addSlot) {
      super(Opcodes.ASM9, writer);
      this.hooks = hooks;
      this.problems = problems;
      this.addSlot = addSlot;
    }

    @Override
    public void visit(int v, int access, String name, String signature, String superName, String[] interfaces) {
      version = v;
      owner = name;
      isInterface = (access & Opcodes.ACC_INTERFACE) != 0; // hooks are for classes: default methods stay
      String[] declared = interfaces == null ? new String[0] : interfaces;
      addSlot &= !isInterface && !Arrays.asList(declared).contains(SLOT_INTERFACE);
      if (addSlot) {
        declared = Arrays.copyOf(declared, declared.length + 1);
        declared[declared.length - 1] = SLOT_INTERFACE;
        // a generic class's Signature attribute lists its interfaces too: keep the two in step
        signature = signature == null ? null : signature + "L" + SLOT_INTERFACE + ";";
      }
      super.visit(v, access, name, signature, superName, declared);
    }

    @Override
    public void visitEnd() {
      if (addSlot && !fields.containsKey(SLOT_FIELD)) {
        addSlotMembers();
        slotAdded = true;
      }
      super.visitEnd();
    }

    /** The field and the two accessors of {@code InFlightSlot}: plain reads and writes. */
    private void addSlotMembers() {
      super.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_TRANSIENT | Opcodes.ACC_SYNTHETIC, SLOT_FIELD, "I", null, null)
          .visitEnd();
      MethodVisitor get = super.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNTHETIC, "rainbarrel$getSlot", "()I", null, null);
      get.visitCode();
      get.visitVarInsn(Opcodes.ALOAD, 0);
      get.visitFieldInsn(Opcodes.GETFIELD, owner, SLOT_FIELD, "I");
      get.visitInsn(Opcodes.IRETURN);
      get.visitMaxs(1, 1);
      get.visitEnd();
      MethodVisitor set = super.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNTHETIC, "rainbarrel$setSlot", "(I)V", null, null);
      set.visitCode();
      set.visitVarInsn(Opcodes.ALOAD, 0);
      set.visitVarInsn(Opcodes.ILOAD, 1);
      set.visitFieldInsn(Opcodes.PUTFIELD, owner, SLOT_FIELD, "I");
      set.visitInsn(Opcodes.RETURN);
      set.visitMaxs(2, 2);
      set.visitEnd();
    }

    @Override
    public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
      // ClassReader visits every field before the first method
      fields.put(name, new Field(descriptor, (access & Opcodes.ACC_STATIC) != 0));
      return super.visitField(access, name, descriptor, signature, value);
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
      MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
      if (isInterface || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
        return next;
      }
      for (WovenHook hook : hooks) {
        if (hook.onlyWithoutSlot() && addSlot) {
          continue;
        }
        if (hook.methods().matches(owner, name, descriptor)) {
          try {
            HookMethodVisitor mv = new HookMethodVisitor(next, version, owner, access, name, descriptor, hook.advice(), fields);
            woven.add(name + descriptor);
            return mv;
          } catch (IllegalStateException e) {
            problems.accept(owner.replace('/', '.') + "." + name + descriptor + " not hooked by "
                + hook.adviceName() + ": " + e.getMessage());
            return next;
          }
        }
      }
      return next;
    }
  }
}
