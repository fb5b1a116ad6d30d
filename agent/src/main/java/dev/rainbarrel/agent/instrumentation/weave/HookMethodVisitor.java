package dev.rainbarrel.agent.instrumentation.weave;

import dev.rainbarrel.agent.instrumentation.Descriptors;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Adds the calls of one {@link AdviceClass} to one hooked method: {@code invokestatic} of the
 * enter advice at the start; of the exit advice before every return and, for {@code onThrowable},
 * in a catch-all handler that then rethrows. Each call pushes exactly the advice's parameters
 * (arguments, {@code this}, fields, the return value, the exception), so the hooked method's own
 * frames, locals and handlers are untouched: the only new local is a temporary in the first slot
 * past the arguments, used right before a return or in the handler, where nothing else is live.
 */
final class HookMethodVisitor extends CatchAllMethodVisitor {

  private final String owner;
  private final boolean isStatic;
  private final boolean constructor;
  private final List<String> argumentTypes;
  private final String returnType;
  private final AdviceClass advice;
  private final Map<String, HookWeaver.Field> fields;

  HookMethodVisitor(MethodVisitor next, int classVersion, String owner, int access, String name, String descriptor,
      AdviceClass advice, Map<String, HookWeaver.Field> fields) {
    super(next, classVersion, owner, access, descriptor, advice.exit() != null && advice.exit().onThrowable());
    this.owner = owner;
    this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
    this.constructor = name.equals("<init>");
    this.argumentTypes = Descriptors.argumentTypes(descriptor);
    this.returnType = Descriptors.returnType(descriptor);
    this.advice = advice;
    this.fields = fields;
    check(advice.enter(), true);
    check(advice.exit(), false);
  }

  /** Refuses, before any code is written, what cannot be woven into this method. */
  private void check(AdviceMethod m, boolean enter) {
    if (m == null) {
      return;
    }
    if (constructor && m.onThrowable()) {
      throw new IllegalStateException("onThrowable advice on a constructor");
    }
    for (AdviceMethod.Parameter p : m.parameters()) {
      switch (p.kind()) {
        case THIS -> {
          if (isStatic || (constructor && enter)) {
            throw new IllegalStateException("@This in " + (isStatic ? "a static method" : "a constructor's entry"));
          }
        }
        case ARGUMENT -> {
          if (p.index() < 0 || p.index() >= argumentTypes.size()) {
            throw new IllegalStateException("@Argument(" + p.index() + ") of a method with " + argumentTypes.size());
          }
          checkAssignable(argumentTypes.get(p.index()), p.descriptor());
        }
        case FIELD -> {
          HookWeaver.Field f = fields.get(p.field());
          if (f == null) {
            throw new IllegalStateException("no field " + p.field() + " declared in " + owner);
          }
          if (!f.isStatic() && (isStatic || (constructor && enter))) {
            throw new IllegalStateException("instance field " + p.field() + " read without an initialised this");
          }
          checkAssignable(f.descriptor(), p.descriptor());
        }
        case RETURN -> {
          if (returnType.equals("V")) {
            throw new IllegalStateException("@Return in a void method");
          }
          checkAssignable(returnType, p.descriptor());
        }
        case THROWN -> checkAssignable("Ljava/lang/Throwable;", p.descriptor());
        default -> throw new IllegalStateException(p.kind().toString());
      }
    }
  }

  private static void checkAssignable(String value, String parameter) {
    boolean valueRef = isReference(value);
    boolean paramRef = isReference(parameter);
    if (valueRef != paramRef || (!valueRef && intLike(value) != intLike(parameter))
        || (!valueRef && !intLike(value) && !value.equals(parameter))) {
      throw new IllegalStateException("a " + value + " cannot be passed as " + parameter);
    }
  }

  private static boolean isReference(String t) {
    return t.charAt(0) == 'L' || t.charAt(0) == '[';
  }

  private static boolean intLike(String t) {
    return "ZBCSI".indexOf(t.charAt(0)) >= 0;
  }

  @Override
  protected void onCodeStart() {
    if (advice.enter() != null) {
      call(advice.enter(), -1, -1);
    }
  }

  @Override
  public void visitInsn(int opcode) {
    if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN && advice.exit() != null) {
      int returnSlot = -1;
      if (!returnType.equals("V") && advice.exit().uses(AdviceMethod.Kind.RETURN)) {
        returnSlot = firstFreeSlot;
        super.visitVarInsn(storeOpcode(returnType), returnSlot);
      }
      call(advice.exit(), returnSlot, -1);
      if (returnSlot >= 0) {
        super.visitVarInsn(loadOpcode(returnType), returnSlot);
      }
    }
    super.visitInsn(opcode);
  }

  @Override
  protected void emitHandler() {
    int thrownSlot = firstFreeSlot;
    super.visitVarInsn(Opcodes.ASTORE, thrownSlot);
    call(advice.exit(), -1, thrownSlot);
    super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
    super.visitInsn(Opcodes.ATHROW);
  }

  /**
   * Pushes the advice's parameters and calls it.
   *
   * @param returnSlot where the return value is, or -1 (then its type's default is passed)
   * @param thrownSlot where the exception is, or -1 (then {@code null} is passed)
   */
  private void call(AdviceMethod m, int returnSlot, int thrownSlot) {
    for (AdviceMethod.Parameter p : m.parameters()) {
      String valueType;
      switch (p.kind()) {
        case THIS -> {
          super.visitVarInsn(Opcodes.ALOAD, 0);
          valueType = "L" + owner + ";";
        }
        case ARGUMENT -> {
          valueType = argumentTypes.get(p.index());
          super.visitVarInsn(loadOpcode(valueType), argumentSlot(p.index()));
        }
        case FIELD -> {
          HookWeaver.Field f = fields.get(p.field());
          valueType = f.descriptor();
          if (f.isStatic()) {
            super.visitFieldInsn(Opcodes.GETSTATIC, owner, p.field(), valueType);
          } else {
            super.visitVarInsn(Opcodes.ALOAD, 0);
            super.visitFieldInsn(Opcodes.GETFIELD, owner, p.field(), valueType);
          }
        }
        case RETURN -> {
          valueType = returnType;
          if (returnSlot >= 0) {
            super.visitVarInsn(loadOpcode(valueType), returnSlot);
          } else {
            pushDefault(valueType);
          }
        }
        case THROWN -> {
          valueType = "Ljava/lang/Throwable;";
          if (thrownSlot >= 0) {
            super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
          } else {
            super.visitInsn(Opcodes.ACONST_NULL);
          }
        }
        default -> throw new IllegalStateException(p.kind().toString());
      }
      String want = p.descriptor();
      if (isReference(want) && !want.equals(valueType) && !want.equals("Ljava/lang/Object;")) {
        // the server's declared type is (by the hook's design) assignable: the cast never fails,
        // it only spares the verifier a hierarchy it would otherwise have to load
        super.visitTypeInsn(Opcodes.CHECKCAST, want.charAt(0) == 'L' ? want.substring(1, want.length() - 1) : want);
      }
    }
    super.visitMethodInsn(Opcodes.INVOKESTATIC, m.owner(), m.name(), m.descriptor(), false);
  }

  private int argumentSlot(int index) {
    int slot = isStatic ? 0 : 1;
    for (int i = 0; i < index; i++) {
      slot += Descriptors.size(argumentTypes.get(i));
    }
    return slot;
  }

  private void pushDefault(String t) {
    switch (t.charAt(0)) {
      case 'Z', 'B', 'C', 'S', 'I' -> super.visitInsn(Opcodes.ICONST_0);
      case 'J' -> super.visitInsn(Opcodes.LCONST_0);
      case 'F' -> super.visitInsn(Opcodes.FCONST_0);
      case 'D' -> super.visitInsn(Opcodes.DCONST_0);
      default -> super.visitInsn(Opcodes.ACONST_NULL);
    }
  }
}
