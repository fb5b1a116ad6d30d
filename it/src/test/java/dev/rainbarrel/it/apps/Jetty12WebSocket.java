package dev.rainbarrel.it.apps;

import jakarta.websocket.server.ServerEndpointConfig;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

/**
 * An echo WebSocket at {@code /ws} on Jetty 12's ee10 servlet environment (JSR 356, {@code
 * jetty-ee10-websocket-jakarta-server}), as {@link Jetty12App} installs it with {@code
 * -Dit.webSocket=true}. A class of its own, reached by name, so that the ee11 variant of the app
 * compiles without the ee10 WebSocket jars.
 */
public final class Jetty12WebSocket {

  private Jetty12WebSocket() {}

  /** Called by {@link Jetty12App} through reflection before Jetty starts. */
  public static void install(ServletContextHandler context) {
    JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
        container.addEndpoint(ServerEndpointConfig.Builder.create(EchoEndpoint.class, "/ws").build()));
  }
}
