package dev.rainbarrel.agent.instrumentation.jetty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Jetty 12 {@code HttpChannelState}: where requests are placed in the bridge (the request's
 * constructor), response commit, a failed response write and the request's callback.
 */
public final class Jetty12ChannelInstrumentation implements TypeInstrumentation {

  private static final String REQUEST = "org.eclipse.jetty.server.internal.HttpChannelState$ChannelRequest";
  private static final String RESPONSE = "org.eclipse.jetty.server.internal.HttpChannelState$ChannelResponse";
  private static final String CALLBACK = "org.eclipse.jetty.server.internal.HttpChannelState$ChannelCallback";
  private static final String A = "dev.rainbarrel.agent.instrumentation.jetty.Jetty12Advice$";

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of(REQUEST, RESPONSE, CALLBACK);
  }

  @Override
  public Set<String> inFlightKeyTypes() {
    return Set.of(REQUEST); // one new object per request: found through its slot field
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        // only for a request class loaded before the agent: with the slot field it is not needed
        new Hook(MethodMatch.constructor(-1).declaredBy(REQUEST), A + "RequestCreated", true),
        new Hook(MethodMatch.named("lockedPrepareResponse", 2).declaredBy(RESPONSE), A + "PrepareResponse"),
        new Hook(MethodMatch.named("failed", 1).declaredBy(RESPONSE), A + "WriteFailed"),
        new Hook(MethodMatch.named("succeeded", 0).declaredBy(CALLBACK), A + "Succeeded"),
        new Hook(MethodMatch.named("failed", 1).declaredBy(CALLBACK), A + "Failed"));
  }

  @Override
  public List<String> helpers() {
    return List.of("dev.rainbarrel.agent.instrumentation.jetty.Jetty12ConnectionHome");
  }
}
