package dev.rainbarrel.it.apps;

import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import org.apache.catalina.Context;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * An echo WebSocket at {@code /ws} on embedded Tomcat (JSR 356, {@code tomcat-embed-websocket}), as
 * {@link TomcatApp} installs it with {@code -Dit.webSocket=true}. A class of its own, reached by
 * name, so that the app still runs on a class path without the WebSocket jar. The Tomcat 9 variant
 * compiles it with {@code jakarta.*} renamed {@code javax.*}.
 */
public final class TomcatWebSocket {

  private TomcatWebSocket() {}

  /** Called by {@link TomcatApp} through reflection before Tomcat starts. */
  public static void install(Context ctx) {
    ctx.addServletContainerInitializer(new WsSci(), null);
    ctx.addApplicationListener(Listener.class.getName());
  }

  /** Registers the endpoint once Tomcat's WebSocket container exists. */
  public static final class Listener implements jakarta.servlet.ServletContextListener {
    @Override
    public void contextInitialized(jakarta.servlet.ServletContextEvent e) {
      ServerContainer container = (ServerContainer) e.getServletContext().getAttribute(ServerContainer.class.getName());
      try {
        container.addEndpoint(ServerEndpointConfig.Builder.create(EchoEndpoint.class, "/ws").build());
      } catch (jakarta.websocket.DeploymentException ex) {
        throw new IllegalStateException(ex);
      }
    }
  }
}
