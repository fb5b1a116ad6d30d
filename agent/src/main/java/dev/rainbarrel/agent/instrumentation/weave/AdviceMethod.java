package dev.rainbarrel.agent.instrumentation.weave;

import java.util.List;

/**
 * One advice method as read from its class file: where it is, and what each of its parameters
 * receives from the hooked method (see {@link dev.rainbarrel.agent.instrumentation.Advice}).
 *
 * @param owner internal name of the advice class
 * @param name method name
 * @param descriptor method descriptor
 * @param parameters one per parameter of the advice method, in order
 * @param onThrowable exit advice that also runs when the hooked method throws
 */
public record AdviceMethod(String owner, String name, String descriptor, List<Parameter> parameters, boolean onThrowable) {

  /** What an advice parameter receives. */
  public enum Kind { ARGUMENT, THIS, RETURN, THROWN, FIELD }

  /**
   * @param kind what it receives
   * @param index the argument index for {@link Kind#ARGUMENT}
   * @param field the field name for {@link Kind#FIELD}
   * @param descriptor the advice parameter's declared type
   */
  public record Parameter(Kind kind, int index, String field, String descriptor) {}

  /** Whether any parameter is of this kind. */
  boolean uses(Kind kind) {
    for (Parameter p : parameters) {
      if (p.kind() == kind) {
        return true;
      }
    }
    return false;
  }
}
