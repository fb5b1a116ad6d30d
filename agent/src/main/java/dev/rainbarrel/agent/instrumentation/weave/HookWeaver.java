package dev.rainbarrel.agent.instrumentation.weave;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import java.util.ArrayList;
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
  public record WovenHook(MethodMatch methods, AdviceClass advice, String adviceName) {}

  /** A field declared in the class being woven. */
  record Field(String descriptor, boolean isStatic) {}

  private HookWeaver() {}

  /**
   * @return the new class file, or null when no method matched (the class stays as it is)
   */
  public static byte[] weave(byte[] classFile, List<WovenHook> hooks, Consumer<String> problems) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    Visitor v = new Visitor(writer, hooks, problems);
    reader.accept(v, ClassReader.EXPAND_FRAMES);
    return v.woven.isEmpty() ? null : writer.toByteArray();
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

    Visitor(ClassWriter writer, List<WovenHook> hooks, Consumer<String> problems) {
      super(Opcodes.ASM9, writer);
      this.hooks = hooks;
      this.problems = problems;
    }

    @Override
    public void visit(int v, int access, String name, String signature, String superName, String[] interfaces) {
      version = v;
      owner = name;
      isInterface = (access & Opcodes.ACC_INTERFACE) != 0; // hooks are for classes: default methods stay
      super.visit(v, access, name, signature, superName, interfaces);
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
