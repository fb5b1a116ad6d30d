package dev.rainbarrel.agent.instrumentation.tomcat;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Catalina's {@code RequestFacade}, the servlet request Tomcat hands to the application and so the
 * tracking key of the servlet hooks (and of {@link TomcatCommitAdvice} and {@link
 * TomcatRecycleAdvice}, which reach it through Catalina's request). Tomcat 9, 10.1 and 11 discard
 * it after each request ({@code discardFacades}, true by default): a new object per request, which
 * gets the in-flight slot field when its class is loaded. No hooks of its own.
 */
public final class TomcatRequestFacadeInstrumentation implements TypeInstrumentation {

  private static final String FACADE = "org.apache.catalina.connector.RequestFacade";

  @Override
  public String server() {
    return "tomcat";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of(FACADE);
  }

  @Override
  public Set<String> inFlightKeyTypes() {
    return Set.of(FACADE); // found through its slot field, not an identity hash per request
  }

  @Override
  public List<Hook> hooks() {
    return List.of();
  }
}
