package dev.rainbarrel.agent.instrumentation.weave;

import dev.rainbarrel.agent.instrumentation.Descriptors;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Wraps a method's whole body in a handler for {@code Throwable} that the subclass fills in.
 *
 * <p>The handler's entry is the last one of the exception table, so the method's own handlers
 * still see their exceptions first. Its stack map frame holds only {@code this} and the
 * arguments (the body's other locals are not live there) and the exception on the stack; the
 * class must be read with {@code ClassReader.EXPAND_FRAMES} and written with {@code
 * COMPUTE_MAXS}. The handler may use local slot {@link #firstFreeSlot} (a slot past the arguments,
 * dead at every point the handler can be reached from).
 */
abstract class CatchAllMethodVisitor extends MethodVisitor {

  /** Class-file major version from which stack map frames are written. */
  private static final int V1_6 = 50;

  /** Whether to wrap the body; may be changed until the code starts. */
  protected boolean enabled;
  private boolean wrapping;
  private final Object[] argumentFrame;
  private final boolean frames;
  private final Label start = new Label();
  private final Label end = new Label();
  private final Label handler = new Label();
  /** The first local slot after {@code this} and the arguments. */
  protected final int firstFreeSlot;

  CatchAllMethodVisitor(MethodVisitor next, int classVersion, String owner, int access, String descriptor, boolean enabled) {
    super(Opcodes.ASM9, next);
    this.enabled = enabled;
    this.frames = (classVersion & 0xFFFF) >= V1_6;
    List<Object> locals = new ArrayList<>();
    int slot = 0;
    if ((access & Opcodes.ACC_STATIC) == 0) {
      locals.add(owner);
      slot++;
    }
    for (String t : Descriptors.argumentTypes(descriptor)) {
      locals.add(frameType(t));
      slot += Descriptors.size(t);
    }
    this.argumentFrame = locals.toArray();
    this.firstFreeSlot = slot;
  }

  /** Called at the start of the body, before the protected range starts. */
  protected void onCodeStart() {}

  /** Emits the handler's code; the {@code Throwable} is on the stack and must be consumed. */
  protected abstract void emitHandler();

  @Override
  public final void visitCode() {
    super.visitCode();
    onCodeStart();
    wrapping = enabled;
    if (wrapping) {
      super.visitLabel(start);
    }
  }

  @Override
  public void visitMaxs(int maxStack, int maxLocals) {
    if (wrapping) {
      super.visitLabel(end);
      super.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
      super.visitLabel(handler);
      if (frames) {
        super.visitFrame(Opcodes.F_NEW, argumentFrame.length, argumentFrame, 1, new Object[] {"java/lang/Throwable"});
      }
      emitHandler();
    }
    super.visitMaxs(maxStack, maxLocals);
  }

  /** The stack map frame entry for a value of this type descriptor. */
  static Object frameType(String t) {
    return switch (t.charAt(0)) {
      case 'Z', 'B', 'C', 'S', 'I' -> Opcodes.INTEGER;
      case 'J' -> Opcodes.LONG;
      case 'F' -> Opcodes.FLOAT;
      case 'D' -> Opcodes.DOUBLE;
      case 'L' -> t.substring(1, t.length() - 1);
      default -> t; // arrays: the descriptor is the internal name
    };
  }

  /** The load opcode for a value of this type descriptor. */
  static int loadOpcode(String t) {
    return switch (t.charAt(0)) {
      case 'Z', 'B', 'C', 'S', 'I' -> Opcodes.ILOAD;
      case 'J' -> Opcodes.LLOAD;
      case 'F' -> Opcodes.FLOAD;
      case 'D' -> Opcodes.DLOAD;
      default -> Opcodes.ALOAD;
    };
  }

  /** The store opcode for a value of this type descriptor. */
  static int storeOpcode(String t) {
    return loadOpcode(t) + (Opcodes.ISTORE - Opcodes.ILOAD);
  }
}
