package dev.rainbarrel.it.apps;

import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;

/** A JSR 356 WebSocket endpoint that echoes every text message (Tomcat's and Jetty ee10/ee11's {@code /ws}). */
public final class EchoEndpoint extends Endpoint {
  @Override
  public void onOpen(Session session, EndpointConfig config) {
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) m -> session.getAsyncRemote().sendText(m));
  }
}
