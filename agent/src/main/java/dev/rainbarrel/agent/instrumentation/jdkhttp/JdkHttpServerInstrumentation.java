package dev.rainbarrel.agent.instrumentation.jdkhttp;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** The JDK's {@code ExchangeImpl}: request start, commit and abandoned exchanges. */
public final class JdkHttpServerInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jdkhttp";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("sun.net.httpserver.ExchangeImpl");
  }

  @Override
  public Set<String> inFlightKeyTypes() {
    return Set.of("sun.net.httpserver.ExchangeImpl"); // one new object per request: found through its slot field
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.constructor(-1), JdkHttpAdvice.ExchangeCreated.class.getName()),
        new Hook(MethodMatch.named("sendResponseHeaders", 2), JdkHttpAdvice.SendResponseHeaders.class.getName()),
        new Hook(MethodMatch.named("close", 0), JdkHttpAdvice.Close.class.getName()));
  }
}
