import org.eclipse.jetty.ee8.servlet.ServletContextHandler;
import org.eclipse.jetty.ee8.websocket.api.WebSocketAdapter;
import org.eclipse.jetty.ee8.websocket.api.WriteCallback;
import org.eclipse.jetty.ee8.websocket.server.config.JettyWebSocketServletContainerInitializer;

/**
 * An echo WebSocket at {@code /ws} on Jetty 12's ee8 environment, by ee8's Jetty WebSocket API
 * ({@code jetty-ee8-websocket-jetty-server}: the ee8 JSR 356 server is not served by this
 * registry), as {@code Jetty94App} installs it with {@code -Dit.webSocket=true}. A class of its
 * own, reached by name, so that the 9.4, 10 and 11 variants of the app compile without it.
 */
public final class Jetty12Ee8WebSocket {

  private Jetty12Ee8WebSocket() {}

  /** Called by {@code Jetty94App} through reflection before Jetty starts. */
  public static void install(ServletContextHandler context) {
    JettyWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
        container.addMapping("/ws", (request, response) -> new Echo()));
  }

  /** Echoes every text message. */
  public static final class Echo extends WebSocketAdapter {
    @Override
    public void onWebSocketText(String message) {
      getRemote().sendString(message, WriteCallback.NOOP);
    }
  }
}
