package dev.rainbarrel.agent.instrumentation.weave;

import dev.rainbarrel.agent.instrumentation.Advice;

/** Advice classes for {@link HookWeaverTest}; each records what it received in {@link WeaveLog}. */
public final class WeaveAdvice {
  private WeaveAdvice() {}

  public static final class Greet {
    @Advice.OnMethodEnter
    public static void enter(@Advice.This Object self, @Advice.Argument(0) String who, @Advice.Argument(1) long n) {
      WeaveLog.CALLS.add("greet enter " + self.getClass().getSimpleName() + " " + who + " " + n);
    }

    @Advice.OnMethodExit
    public static void exit(@Advice.FieldValue("count") int count, @Advice.Return String result,
        @Advice.FieldValue("label") String label) {
      WeaveLog.CALLS.add("greet exit " + count + " " + result + " " + label);
    }
  }

  public static final class Fails {
    @Advice.OnMethodExit(onThrowable = true)
    public static void exit(@Advice.Argument(0) int x, @Advice.Return int result, @Advice.Thrown Throwable thrown) {
      WeaveLog.CALLS.add("fails exit " + x + " " + result + " " + (thrown == null ? null : thrown.getMessage()));
    }
  }

  public static final class Catches {
    @Advice.OnMethodExit(onThrowable = true)
    public static void exit(@Advice.Return int result, @Advice.Thrown Throwable thrown) {
      WeaveLog.CALLS.add("catches exit " + result + " " + thrown);
    }
  }

  public static final class Twice {
    @Advice.OnMethodEnter
    public static void enter(@Advice.Argument(1) long l, @Advice.Argument(0) double d) {
      WeaveLog.CALLS.add("twice enter " + d + " " + l);
    }

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit(@Advice.Return double result) {
      WeaveLog.CALLS.add("twice exit " + result);
    }
  }

  public static final class Constructed {
    @Advice.OnMethodExit
    public static void exit(@Advice.This Object self) {
      WeaveLog.CALLS.add("constructed " + self.getClass().getSimpleName());
    }
  }

  /** An advice with a bug: the host's method must not notice. */
  public static final class Broken {
    @Advice.OnMethodEnter
    public static void enter() {
      WeaveLog.CALLS.add("broken enter");
      throw new IllegalStateException("advice bug");
    }

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit(@Advice.Thrown Throwable thrown) {
      WeaveLog.CALLS.add("broken exit");
      throw new IllegalStateException("advice bug");
    }
  }

  /** Wants a field the hooked class does not declare: the weaver must refuse, not break the class. */
  public static final class MissingField {
    @Advice.OnMethodEnter
    public static void enter(@Advice.FieldValue("nope") Object value) {
      WeaveLog.CALLS.add("missing " + value);
    }
  }
}
