package dev.rainbarrel.agent.instrumentation;

import java.util.ArrayList;
import java.util.List;

/** Splitting JVM method descriptors ({@code (ILjava/lang/String;[J)V}) without loading anything. */
public final class Descriptors {

  private Descriptors() {}

  /** The argument type descriptors of a method descriptor, in order. */
  public static List<String> argumentTypes(String methodDescriptor) {
    List<String> out = new ArrayList<>();
    int i = 1;
    while (methodDescriptor.charAt(i) != ')') {
      int end = endOfType(methodDescriptor, i);
      out.add(methodDescriptor.substring(i, end));
      i = end;
    }
    return out;
  }

  /** The return type descriptor of a method descriptor. */
  public static String returnType(String methodDescriptor) {
    return methodDescriptor.substring(methodDescriptor.indexOf(')') + 1);
  }

  /** Local-variable slots a value of this type takes: 2 for {@code J} and {@code D}, 0 for {@code V}. */
  public static int size(String typeDescriptor) {
    char c = typeDescriptor.charAt(0);
    return c == 'J' || c == 'D' ? 2 : c == 'V' ? 0 : 1;
  }

  private static int endOfType(String d, int start) {
    int i = start;
    while (d.charAt(i) == '[') {
      i++;
    }
    if (d.charAt(i) == 'L') {
      i = d.indexOf(';', i);
    }
    return i + 1;
  }
}
