package dev.rainbarrel.it.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An unmodified JDK HttpServer with its default executor: one thread accepts and handles, so
 * while {@code /slow} runs, new connections wait in the kernel's accept queue. Prints {@code PORT n}.
 */
public final class SingleAcceptorApp {
  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    server.createContext("/ok", ex -> send(ex, "ok"));
    server.createContext("/slow", ex -> {
      try {
        Thread.sleep(Long.parseLong(ex.getRequestURI().getQuery().substring(3)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      send(ex, "slow");
    });
    server.start();
    System.out.println("PORT " + server.getAddress().getPort());
    System.out.flush();
  }

  private static void send(HttpExchange ex, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.US_ASCII);
    ex.sendResponseHeaders(200, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }
}
