package dev.rainbarrel.agent.instrumentation;

import java.util.ArrayList;
import java.util.List;

/**
 * Which methods of a hooked class get an advice: by name, argument count and, optionally, the
 * types of some arguments or of the return value, all checked against the method descriptor in the
 * class file (no class is loaded or resolved). Methods without code (abstract, native) are never
 * hooked. Immutable; the {@code with...} methods return a copy.
 */
public final class MethodMatch {

  /** The name of constructors in a class file. */
  public static final String CONSTRUCTOR = "<init>";

  private final String name;
  private final int argumentCount;
  private final List<String> argumentTypes; // descriptor per position, null = any
  private final String returnType; // descriptor, null = any
  private final String declaringType; // internal name, null = any

  private MethodMatch(String name, int argumentCount, List<String> argumentTypes, String returnType, String declaringType) {
    this.name = name;
    this.argumentCount = argumentCount;
    this.argumentTypes = argumentTypes;
    this.returnType = returnType;
    this.declaringType = declaringType;
  }

  /** Methods called {@code name} taking {@code argumentCount} arguments ({@code -1}: any number). */
  public static MethodMatch named(String name, int argumentCount) {
    if (argumentCount < 0) {
      return new MethodMatch(name, -1, List.of(), null, null);
    }
    List<String> types = new ArrayList<>();
    for (int i = 0; i < argumentCount; i++) {
      types.add(null);
    }
    return new MethodMatch(name, argumentCount, types, null, null);
  }

  /** Constructors taking {@code argumentCount} arguments ({@code -1}: any number). */
  public static MethodMatch constructor(int argumentCount) {
    return named(CONSTRUCTOR, argumentCount);
  }

  /** Also requires argument {@code index} to be declared as {@code className} (a binary name). */
  public MethodMatch withArgument(int index, String className) {
    List<String> types = new ArrayList<>(argumentTypes);
    types.set(index, descriptorOf(className));
    return new MethodMatch(name, argumentCount, types, returnType, declaringType);
  }

  /** Also requires the declared return type to be {@code className} (a binary name). */
  public MethodMatch returning(String className) {
    return new MethodMatch(name, argumentCount, argumentTypes, descriptorOf(className), declaringType);
  }

  /** Only in the class {@code className} (a binary name), when a hook names several classes. */
  public MethodMatch declaredBy(String className) {
    return new MethodMatch(name, argumentCount, argumentTypes, returnType, className.replace('.', '/'));
  }

  /**
   * Whether a method with this name and descriptor (JVM form), declared in {@code owner} (internal
   * name), matches.
   */
  public boolean matches(String owner, String methodName, String descriptor) {
    if (!name.equals(methodName) || (declaringType != null && !declaringType.equals(owner))) {
      return false;
    }
    if (returnType != null && !descriptor.endsWith(")" + returnType)) {
      return false;
    }
    if (argumentCount < 0) {
      return true;
    }
    List<String> args = Descriptors.argumentTypes(descriptor);
    if (args.size() != argumentCount) {
      return false;
    }
    for (int i = 0; i < argumentCount; i++) {
      String want = argumentTypes.get(i);
      if (want != null && !want.equals(args.get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * A string that every class file declaring a matching method must contain, or null: lets the
   * transformer skip most class files by a byte search before parsing them. When every argument
   * type is given it is the method descriptor up to the return type ({@code (LA;LB;)}, plus the
   * return type if given): only classes that declare or call such a method contain it. Otherwise
   * it is one given type, which any class merely using that type contains too.
   */
  public String requiredDescriptor() {
    boolean allTyped = argumentCount >= 0;
    for (String t : argumentTypes) {
      allTyped &= t != null;
    }
    if (allTyped && (argumentCount > 0 || returnType != null)) {
      StringBuilder d = new StringBuilder("(");
      for (String t : argumentTypes) {
        d.append(t);
      }
      d.append(')');
      if (returnType != null) {
        d.append(returnType);
      }
      return d.toString();
    }
    if (returnType != null) {
      return returnType;
    }
    for (String t : argumentTypes) {
      if (t != null) {
        return t;
      }
    }
    return null;
  }

  private static String descriptorOf(String className) {
    return "L" + className.replace('.', '/') + ";";
  }

  @Override
  public String toString() {
    return name + "/" + argumentCount;
  }
}
