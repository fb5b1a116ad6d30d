package dev.rainbarrel.agent.instrumentation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotations an advice class is written with (ByteBuddy-style names, read by {@link
 * dev.rainbarrel.agent.instrumentation.weave.AdviceMethod} from the class file; nothing reads them
 * by reflection, hence {@link RetentionPolicy#CLASS}).
 *
 * <p>An advice method is a {@code public static void} method of a public class. It is not inlined:
 * the hooked method gets one {@code invokestatic} to it at entry ({@link OnMethodEnter}) or before
 * every return ({@link OnMethodExit}; with {@code onThrowable} also when an exception leaves the
 * method, which is then rethrown). The advice class is defined in the hooked class's own loader (or
 * is on the bootstrap path for JDK classes), so it may use the server's types; every advice method
 * body is wrapped in a catch-all when the class is defined ({@link
 * dev.rainbarrel.agent.instrumentation.weave.SuppressingAdvice}), so a throwing advice never
 * reaches the host. (The advice of JDK classes, {@link Instrumentations#JDK_ADVICE}, goes on the
 * bootstrap path as compiled and carries its catch-all in the source.)
 */
public final class Advice {

  private Advice() {}

  /** Called when the hooked method starts. */
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.METHOD)
  public @interface OnMethodEnter {}

  /** Called before the hooked method returns (and, with {@code onThrowable}, when it throws). */
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.METHOD)
  public @interface OnMethodExit {
    /** Also called when an exception leaves the hooked method (the exception is rethrown). */
    boolean onThrowable() default false;
  }

  /** The hooked method's argument {@code value} (0-based), as it is at the call. */
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.PARAMETER)
  public @interface Argument {
    int value();
  }

  /** The hooked method's {@code this} (not at the entry of a constructor). */
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.PARAMETER)
  public @interface This {}

  /** The value being returned (exit only; the default value of the type when an exception leaves). */
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.PARAMETER)
  public @interface Return {}

  /** The exception leaving the hooked method, or {@code null} (exit only). */
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.PARAMETER)
  public @interface Thrown {}

  /** A field of the hooked class itself (declared there), read when the advice is called. */
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.PARAMETER)
  public @interface FieldValue {
    String value();
  }
}
