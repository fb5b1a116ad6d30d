import java.io.IOException;
import javax.websocket.Endpoint;
import javax.websocket.EndpointConfig;
import javax.websocket.MessageHandler;
import javax.websocket.Session;
import javax.websocket.server.ServerEndpointConfig;
import org.eclipse.jetty.servlet.ServletContextHandler;

/**
 * An echo WebSocket at {@code /ws} by JSR 356 on Jetty 9.4 ({@code javax-websocket-server-impl}),
 * as {@code Jetty94App} installs it with {@code -Dit.webSocket=true}. The Jetty 10 and 11 variants
 * are this source with Jetty's initializer (named in full below, so one replacement renames it)
 * replaced by theirs ({@code websocket-javax-server}, {@code websocket-jakarta-server}), and, for
 * 11, {@code javax.websocket} by {@code jakarta.websocket}: the three kept {@code configure(context,
 * (servletContext, container) -> ...)}. A class of its own, reached by name, so that the app's ee8
 * variant compiles without it.
 */
public final class Jetty94WebSocket {

  private Jetty94WebSocket() {}

  /** Called by {@code Jetty94App} through reflection before Jetty starts. */
  public static void install(ServletContextHandler context) {
    org.eclipse.jetty.websocket.jsr356.server.deploy.WebSocketServerContainerInitializer.configure(context,
        (servletContext, container) -> container.addEndpoint(ServerEndpointConfig.Builder.create(Echo.class, "/ws").build()));
  }

  /** Echoes every text message (a {@code MessageHandler} of JSR 356 1.0, which Jetty 9.4's API jar is). */
  public static final class Echo extends Endpoint {
    @Override
    public void onOpen(Session session, EndpointConfig config) {
      session.addMessageHandler(new MessageHandler.Whole<String>() {
        @Override
        public void onMessage(String message) {
          try {
            session.getBasicRemote().sendText(message);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
      });
    }
  }
}
