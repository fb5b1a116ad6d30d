package dev.rainbarrel.agent.instrumentation.weave;

import dev.rainbarrel.agent.instrumentation.Descriptors;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The enter and exit advice of one advice class, read from its class file by the {@link
 * dev.rainbarrel.agent.instrumentation.Advice} annotations. Every parameter of an advice method
 * must be annotated; a class with neither an enter nor an exit method is an error.
 *
 * @param enter the {@code @OnMethodEnter} method, or null
 * @param exit the {@code @OnMethodExit} method, or null
 */
public record AdviceClass(AdviceMethod enter, AdviceMethod exit) {

  static final String ANNOTATIONS = "Ldev/rainbarrel/agent/instrumentation/Advice$";

  /** Reads the advice methods of a class file; {@link IllegalArgumentException} names what is wrong. */
  public static AdviceClass read(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    String owner = reader.getClassName();
    List<Collector> methods = new ArrayList<>();
    reader.accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        Collector c = new Collector(owner, access, name, descriptor);
        methods.add(c);
        return c;
      }
    }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    AdviceMethod enter = null;
    AdviceMethod exit = null;
    for (Collector c : methods) {
      if (c.role == null) {
        continue;
      }
      AdviceMethod m = c.build();
      if (c.role.equals("OnMethodEnter")) {
        if (enter != null) {
          throw new IllegalArgumentException(owner + ": two @OnMethodEnter methods");
        }
        enter = m;
      } else {
        if (exit != null) {
          throw new IllegalArgumentException(owner + ": two @OnMethodExit methods");
        }
        exit = m;
      }
    }
    if (enter == null && exit == null) {
      throw new IllegalArgumentException(owner + " has no @OnMethodEnter or @OnMethodExit method");
    }
    return new AdviceClass(enter, exit);
  }

  /** Collects one method's advice annotations. */
  private static final class Collector extends MethodVisitor {
    private final String owner;
    private final int access;
    private final String name;
    private final String descriptor;
    private final List<String> types;
    private final AdviceMethod.Parameter[] parameters;
    private String role;
    private boolean onThrowable;

    Collector(String owner, int access, String name, String descriptor) {
      super(Opcodes.ASM9);
      this.owner = owner;
      this.access = access;
      this.name = name;
      this.descriptor = descriptor;
      this.types = Descriptors.argumentTypes(descriptor);
      this.parameters = new AdviceMethod.Parameter[types.size()];
    }

    @Override
    public AnnotationVisitor visitAnnotation(String desc, boolean visible) {
      if (!desc.startsWith(ANNOTATIONS)) {
        return null;
      }
      String simple = desc.substring(ANNOTATIONS.length(), desc.length() - 1);
      if (!simple.equals("OnMethodEnter") && !simple.equals("OnMethodExit")) {
        return null;
      }
      role = simple;
      return new AnnotationVisitor(Opcodes.ASM9) {
        @Override
        public void visit(String attribute, Object value) {
          if (attribute.equals("onThrowable")) {
            onThrowable = (Boolean) value;
          }
        }
      };
    }

    @Override
    public AnnotationVisitor visitParameterAnnotation(int parameter, String desc, boolean visible) {
      if (!desc.startsWith(ANNOTATIONS)) {
        return null;
      }
      String simple = desc.substring(ANNOTATIONS.length(), desc.length() - 1);
      String type = types.get(parameter);
      switch (simple) {
        case "This" -> parameters[parameter] = new AdviceMethod.Parameter(AdviceMethod.Kind.THIS, -1, null, type);
        case "Return" -> parameters[parameter] = new AdviceMethod.Parameter(AdviceMethod.Kind.RETURN, -1, null, type);
        case "Thrown" -> parameters[parameter] = new AdviceMethod.Parameter(AdviceMethod.Kind.THROWN, -1, null, type);
        case "Argument", "FieldValue" -> {
          return new AnnotationVisitor(Opcodes.ASM9) {
            @Override
            public void visit(String attribute, Object value) {
              parameters[parameter] = simple.equals("Argument")
                  ? new AdviceMethod.Parameter(AdviceMethod.Kind.ARGUMENT, (Integer) value, null, type)
                  : new AdviceMethod.Parameter(AdviceMethod.Kind.FIELD, -1, (String) value, type);
            }
          };
        }
        default -> {
          return null;
        }
      }
      return null;
    }

    AdviceMethod build() {
      String where = owner + "." + name + descriptor;
      if ((access & Opcodes.ACC_STATIC) == 0 || (access & Opcodes.ACC_PUBLIC) == 0) {
        throw new IllegalArgumentException(where + ": advice must be public static");
      }
      if (!descriptor.endsWith(")V")) {
        throw new IllegalArgumentException(where + ": advice must return void");
      }
      for (int i = 0; i < parameters.length; i++) {
        if (parameters[i] == null) {
          throw new IllegalArgumentException(where + ": parameter " + i + " has no advice annotation");
        }
        AdviceMethod.Kind k = parameters[i].kind();
        if (role.equals("OnMethodEnter") && (k == AdviceMethod.Kind.RETURN || k == AdviceMethod.Kind.THROWN)) {
          throw new IllegalArgumentException(where + ": @" + k + " is only for exit advice");
        }
      }
      if (onThrowable && role.equals("OnMethodEnter")) {
        throw new IllegalArgumentException(where + ": onThrowable is only for exit advice");
      }
      return new AdviceMethod(owner, name, descriptor, List.of(parameters), onThrowable);
    }
  }
}
