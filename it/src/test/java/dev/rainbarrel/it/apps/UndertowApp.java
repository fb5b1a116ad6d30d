package dev.rainbarrel.it.apps;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An unmodified Undertow 2.3 with a blocking {@link HttpHandler} dispatched to the worker pool.
 * Same routes as the other apps. Prints {@code PORT <n>}. With {@code -Dit.virtualThreads=true}
 * (JDK 21+) the handler runs on a virtual thread per request instead; with {@code -Dit.h2c=true}
 * it also speaks HTTP/2 over cleartext; with {@code -Dit.tlsKeystore=<PKCS12>} it listens for
 * HTTPS instead of HTTP, and with both it speaks HTTP/2 over TLS (h2 by ALPN on the JDK's
 * SSLEngine).
 */
public final class UndertowApp {

  public static void main(String[] args) throws Exception {
    Undertow.Builder builder = Undertow.builder();
    if (TlsKeystore.enabled()) { // HTTPS instead of HTTP: the same routes behind Undertow's TLS channel
      builder.addHttpsListener(0, "127.0.0.1", TlsKeystore.sslContext());
    } else {
      builder.addHttpListener(0, "127.0.0.1");
    }
    Undertow server = builder
        .setServerOption(io.undertow.UndertowOptions.ENABLE_HTTP2, Boolean.getBoolean("it.h2c")) // h2c upgrade; over TLS, h2 by ALPN
        // HttpContinueReadHandler: Undertow's answer to "Expect: 100-continue" (sent when the body is read)
        .setHandler(new io.undertow.server.handlers.HttpContinueReadHandler(new Routes()))
        .build();
    server.start();
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    System.out.println("PORT " + port);
    System.out.flush();
  }

  static final class Routes implements HttpHandler {
    // -Dit.virtualThreads=true (JDK 21+): blocking work dispatched to a virtual thread per request
    private final java.util.concurrent.Executor virtual =
        VirtualThreadsOption.enabled() ? VirtualThreadsOption.perTaskExecutor() : null;

    // /ws: an echo WebSocket (Undertow's own, in undertow-core)
    private final HttpHandler webSocket = io.undertow.Handlers.websocket((exchange, channel) -> {
      channel.getReceiveSetter().set(new io.undertow.websockets.core.AbstractReceiveListener() {
        @Override
        protected void onFullTextMessage(io.undertow.websockets.core.WebSocketChannel ch,
            io.undertow.websockets.core.BufferedTextMessage message) {
          io.undertow.websockets.core.WebSockets.sendText(message.getData(), ch, null);
        }
      });
      channel.resumeReceives();
    });

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
      if (ex.getRequestPath().equals("/ws")) {
        webSocket.handleRequest(ex);
        return;
      }
      if (ex.isInIoThread()) {
        if (virtual != null) {
          ex.dispatch(virtual, this);
        } else {
          ex.dispatch(this);
        }
        return;
      }
      ex.startBlocking();
      switch (ex.getRequestPath()) {
        case "/ok" -> send(ex, 200, "ok");
        case "/echo" -> send(ex, 200, new String(ex.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII));
        case "/thread" -> send(ex, 200, Thread.currentThread().toString());
        case "/code" -> {
          int code = Integer.parseInt(ex.getQueryParameters().get("c").getFirst());
          send(ex, code, "code " + code);
        }
        case "/hold" -> {
          Gate.await();
          send(ex, 200, "held");
        }
        case "/stream" -> {
          OutputStream out = ex.getOutputStream();
          out.write("first\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          Gate.await();
          out.write("last\n".getBytes(StandardCharsets.US_ASCII));
          out.close();
        }
        case "/boom" -> throw new IllegalStateException("boom (expected by the test)");
        case "/abort" -> {
          OutputStream out = ex.getOutputStream();
          byte[] chunk = new byte[8192];
          for (int i = 0; i < 2000; i++) {
            out.write(chunk);
            out.flush();
            Thread.sleep(10);
          }
          out.close();
        }
        case "/release" -> {
          Gate.release();
          send(ex, 200, "released");
        }
        default -> send(ex, 404, "no route");
      }
    }
  }

  static void send(HttpServerExchange ex, int code, String body) throws java.io.IOException {
    byte[] b = body.getBytes(StandardCharsets.US_ASCII);
    ex.setStatusCode(code);
    ex.setResponseContentLength(b.length);
    try (OutputStream out = ex.getOutputStream()) {
      out.write(b);
    }
  }
}
