package dev.rainbarrel.it.apps;

import jakarta.websocket.server.ServerEndpointConfig;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

/**
 * An echo WebSocket at {@code /ws} on Jetty 12's ee10 servlet environment (JSR 356, {@code
 * jetty-ee10-websocket-jakarta-server}), as {@link Jetty12App} installs it with {@code
 * -Dit.webSocket=true}. The ee11 variant compiles it with {@code ee10} renamed {@code ee11}
 * ({@code jetty-ee11-websocket-jakarta-server}). A class of its own, reached by name, so that the
 * app still runs on a class path without WebSocket jars.
 */
public final class Jetty12WebSocket {

  private Jetty12WebSocket() {}

  /** Called by {@link Jetty12App} through reflection before Jetty starts. */
  public static void install(ServletContextHandler context) {
    JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
        container.addEndpoint(ServerEndpointConfig.Builder.create(EchoEndpoint.class, "/ws").build()));
  }
}
