package dev.rainbarrel.agent.instrumentation.jetty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Jetty 9.4-11 {@code HttpChannel} (a class there; Jetty 12's interface of the same name is not
 * matched): every request, servlet or plain {@code Handler}, is handled, committed and completed
 * by it. See {@link Jetty9Advice}.
 */
public final class Jetty9ChannelInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("org.eclipse.jetty.server.HttpChannel");
  }

  private static final String A = "dev.rainbarrel.agent.instrumentation.jetty.Jetty9Advice$";

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("handle", 0), A + "Handle"),
        new Hook(MethodMatch.named("commit", 1).withArgument(0, "org.eclipse.jetty.http.MetaData$Response"), A + "Commit"),
        new Hook(MethodMatch.named("handleException", 1), A + "HandleException"),
        new Hook(MethodMatch.named("onCompleted", 0), A + "Completed"));
  }
}
