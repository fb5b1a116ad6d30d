package dev.rainbarrel.it.apps;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;

/**
 * An unmodified Jetty 12 with a plain core {@link Handler} (no servlets): same routes as the other
 * apps, blocking writes on Jetty's pool threads. Prints {@code PORT <n>}.
 */
public final class Jetty12CoreApp {

  public static void main(String[] args) throws Exception {
    Server server = Jetty12App.server();
    ServerConnector connector = Jetty12App.connector(server);
    // /ws: an echo WebSocket, upgraded by Jetty's core WebSocketUpgradeHandler in front of the routes
    org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler ws = org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler.from(
        server, container -> container.addMapping("/ws", (rq, rs, cb) -> new Echo()));
    ws.setHandler(new Routes());
    server.setHandler(ws);
    server.start();
    System.out.println("PORT " + connector.getLocalPort());
    System.out.flush();
    server.join();
  }

  /** Echoes every text message of a WebSocket. */
  public static final class Echo implements org.eclipse.jetty.websocket.api.Session.Listener.AutoDemanding {
    private org.eclipse.jetty.websocket.api.Session session;

    @Override
    public void onWebSocketOpen(org.eclipse.jetty.websocket.api.Session session) {
      this.session = session;
    }

    @Override
    public void onWebSocketText(String message) {
      session.sendText(message, org.eclipse.jetty.websocket.api.Callback.NOOP);
    }
  }

  static final class Routes extends Handler.Abstract {
    Routes() {
      super(InvocationType.BLOCKING);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = Request.getPathInContext(request);
      switch (path) {
        case "/ok" -> send(response, callback, 200, "ok");
        case "/echo" -> send(response, callback, 200, Content.Source.asString(request, java.nio.charset.StandardCharsets.US_ASCII));
        case "/code" -> {
          int code = Integer.parseInt(Request.extractQueryParameters(request).getValue("c"));
          send(response, callback, code, "code " + code);
        }
        case "/hold" -> {
          Gate.await();
          send(response, callback, 200, "held");
        }
        case "/stream" -> {
          write(response, false, "first\n");
          Gate.await();
          write(response, true, "last\n");
          callback.succeeded();
        }
        case "/boom" -> throw new IllegalStateException("boom (expected by the test)");
        case "/abort" -> {
          for (int i = 0; i < 2000; i++) {
            FutureCallback cb = new FutureCallback();
            response.write(false, ByteBuffer.wrap(new byte[8192]), cb);
            cb.get(); // throws once the client is gone
            Thread.sleep(10);
          }
          response.write(true, null, callback);
        }
        case "/release" -> {
          Gate.release();
          send(response, callback, 200, "released");
        }
        default -> send(response, callback, 404, "no route");
      }
      return true;
    }
  }

  static void write(Response response, boolean last, String text) throws Exception {
    FutureCallback cb = new FutureCallback();
    response.write(last, ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), cb);
    cb.get();
  }

  static void send(Response response, Callback callback, int code, String body) {
    response.setStatus(code);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
    Content.Sink.write(response, true, body, callback);
  }
}
