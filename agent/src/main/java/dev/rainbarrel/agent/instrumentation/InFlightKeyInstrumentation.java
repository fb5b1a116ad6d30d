package dev.rainbarrel.agent.instrumentation;

import java.util.List;
import java.util.Set;

/**
 * A server's tracking-key classes that have no hooks of their own: the transformer only gives them
 * the in-flight slot field when they are loaded ({@link TypeInstrumentation#inFlightKeyTypes()},
 * whose rules apply: not {@code Serializable}, loaded after the listener opens). Which classes,
 * and why, is listed where they are registered ({@link Instrumentations#all()}) and in
 * docs/AGENT.md.
 */
public final class InFlightKeyInstrumentation implements TypeInstrumentation {

  private final String server;
  private final Set<String> keyClasses;

  /**
   * @param server the server name, as the other instrumentations of that server give it
   * @param keyClasses binary names of the key classes
   */
  public InFlightKeyInstrumentation(String server, String... keyClasses) {
    this.server = server;
    this.keyClasses = Set.of(keyClasses);
  }

  @Override
  public String server() {
    return server;
  }

  @Override
  public Set<String> typeNames() {
    return keyClasses;
  }

  @Override
  public Set<String> inFlightKeyTypes() {
    return keyClasses;
  }

  @Override
  public List<Hook> hooks() {
    return List.of();
  }
}
