package dev.rainbarrel.agent.instrumentation.weave;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites an advice class before it is defined: the body of every advice method is wrapped in a
 * catch-all that reports through {@code Bridge.adviceFailed(Throwable)} and returns, so an advice
 * that throws (a bug, a server API that changed, the fault injection of the tests) never reaches
 * the host's code. Other methods and classes without advice pass unchanged.
 */
public final class SuppressingAdvice {

  static final String BRIDGE = "dev/rainbarrel/bootstrap/Bridge";

  private SuppressingAdvice() {}

  /** The rewritten class file. */
  public static byte[] rewrite(byte[] classFile) {
    return rewrite(classFile, BRIDGE);
  }

  /**
   * As {@link #rewrite(byte[])}, reporting to {@code failureOwner.adviceFailed(Throwable)} (tests:
   * the real bridge turns recording off for the whole JVM).
   */
  static byte[] rewrite(byte[] classFile, String failureOwner) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      private int version;
      private String owner;

      @Override
      public void visit(int v, int access, String name, String signature, String superName, String[] interfaces) {
        version = v;
        owner = name;
        super.visit(v, access, name, signature, superName, interfaces);
      }

      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
        if ((access & Opcodes.ACC_STATIC) == 0 || !descriptor.endsWith(")V")) {
          return next;
        }
        return new AdviceBody(next, version, owner, access, descriptor, failureOwner);
      }
    }, ClassReader.EXPAND_FRAMES);
    return writer.toByteArray();
  }

  /** Wraps the body once it knows the method is an advice method (its annotations come first). */
  private static final class AdviceBody extends CatchAllMethodVisitor {
    private final String failureOwner;

    AdviceBody(MethodVisitor next, int version, String owner, int access, String descriptor, String failureOwner) {
      super(next, version, owner, access, descriptor, false);
      this.failureOwner = failureOwner;
    }

    @Override
    public org.objectweb.asm.AnnotationVisitor visitAnnotation(String desc, boolean visible) {
      if (desc.startsWith(AdviceClass.ANNOTATIONS + "OnMethod")) {
        enabled = true;
      }
      return super.visitAnnotation(desc, visible);
    }

    @Override
    protected void emitHandler() {
      super.visitMethodInsn(Opcodes.INVOKESTATIC, failureOwner, "adviceFailed", "(Ljava/lang/Throwable;)V", false);
      super.visitInsn(Opcodes.RETURN);
    }
  }
}
