package dev.rainbarrel.it.apps;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.RequestUpgradeStrategy;
import org.springframework.web.socket.server.jetty.JettyRequestUpgradeStrategy;
import org.springframework.web.socket.server.standard.TomcatRequestUpgradeStrategy;
import org.springframework.web.socket.server.standard.UndertowRequestUpgradeStrategy;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * An echo WebSocket at {@code /ws} in {@link SpringBootApp} by Spring's own WebSocket support
 * ({@code @EnableWebSocket}, a {@link TextWebSocketHandler}; {@code spring-boot-starter-websocket}),
 * with {@code -Dit.webSocket=true}: {@link SpringBootApp}'s component scan finds it. Spring picks its
 * upgrade strategy by what is on the class path, and the test class path has Tomcat, Jetty and
 * Undertow: the handshake handler names the running server's ({@code -Dit.server}), the one an
 * application with only that server gets.
 */
@Configuration
@EnableWebSocket
@ConditionalOnProperty(name = "it.webSocket", havingValue = "true")
public class SpringMvcWebSocket implements WebSocketConfigurer {

  @Override
  public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
    RequestUpgradeStrategy strategy = switch (System.getProperty("it.server", "tomcat")) {
      case "jetty" -> new JettyRequestUpgradeStrategy();
      case "undertow" -> new UndertowRequestUpgradeStrategy();
      default -> new TomcatRequestUpgradeStrategy();
    };
    registry.addHandler(new Echo(), "/ws").setHandshakeHandler(new DefaultHandshakeHandler(strategy));
  }

  /** Echoes every text message. */
  static final class Echo extends TextWebSocketHandler {
    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
      session.sendMessage(new TextMessage(message.getPayload()));
    }
  }
}
