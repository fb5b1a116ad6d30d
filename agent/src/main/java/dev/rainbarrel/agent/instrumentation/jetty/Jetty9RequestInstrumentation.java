package dev.rainbarrel.agent.instrumentation.jetty;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Jetty 9.4-11's {@code Request} (a class there; Jetty 12's interface of the same name gets
 * nothing: the weaver leaves interfaces alone): the {@code HttpChannel}'s request, the tracking key
 * of {@link Jetty9Advice} and of the servlet hooks. Jetty recycles it with its channel, so it gets
 * the in-flight slot field when its class is loaded: lookups read that field instead of hashing and
 * scanning. No hooks of its own.
 */
public final class Jetty9RequestInstrumentation implements TypeInstrumentation {

  private static final String REQUEST = "org.eclipse.jetty.server.Request";

  @Override
  public String server() {
    return "jetty";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of(REQUEST);
  }

  @Override
  public Set<String> inFlightKeyTypes() {
    return Set.of(REQUEST);
  }

  @Override
  public List<Hook> hooks() {
    return List.of();
  }
}
