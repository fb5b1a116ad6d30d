package dev.rainbarrel.agent.instrumentation.undertow;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Undertow's response streams, servlet ({@code ServletOutputStreamImpl}) and core ({@code
 * UndertowOutputStream}): a write, flush or close that throws an {@code IOException} is Undertow's
 * "client went away", which it has no exception type of its own for (Tomcat's {@code
 * ClientAbortException} and Jetty's {@code EofException} are caught by their constructors instead).
 */
public final class UndertowWriteFailureInstrumentation implements TypeInstrumentation {

  private static final String ADVICE = "dev.rainbarrel.agent.instrumentation.undertow.UndertowAdvice$WriteFailed";

  @Override
  public String server() {
    return "undertow";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("io.undertow.servlet.spec.ServletOutputStreamImpl", "io.undertow.io.UndertowOutputStream");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("write", -1), ADVICE),
        new Hook(MethodMatch.named("flush", 0), ADVICE),
        new Hook(MethodMatch.named("close", 0), ADVICE));
  }
}
