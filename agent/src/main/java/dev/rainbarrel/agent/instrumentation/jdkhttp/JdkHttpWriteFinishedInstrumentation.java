package dev.rainbarrel.agent.instrumentation.jdkhttp;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** The JDK HttpServer's write-finished event: the normal end of a request. */
public final class JdkHttpWriteFinishedInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jdkhttp";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("sun.net.httpserver.WriteFinishedEvent", "sun.net.httpserver.Event$WriteFinished");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.constructor(1), JdkHttpAdvice.WriteFinished.class.getName()));
  }
}
