package dev.rainbarrel.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary server with no rainbarrel code in it: the JDK's {@code HttpServer} with its default
 * executor, so one thread accepts connections and runs every handler. While a slow request runs,
 * nothing is accepted, and new connections wait in the kernel's accept queue — the queueing that
 * rainbarrel makes visible.
 *
 * <ul>
 *   <li>{@code GET /} — a short text response
 *   <li>{@code GET /slow?ms=N} — answers after N milliseconds (at most 10 s)
 *   <li>{@code GET /stream?chunks=N&ms=M} — N chunks, M ms apart (response committed, still writing)
 *   <li>{@code GET /fail} — the handler throws (a 500)
 * </ul>
 *
 * Usage: {@code java -javaagent:rainbarrel-agent.jar -cp rainbarrel-examples.jar
 * dev.rainbarrel.examples.DemoServer [PORT]}; prints {@code listening on 127.0.0.1:PORT}.
 */
public final class DemoServer {
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    server.createContext("/", DemoServer::hello);
    server.createContext("/slow", DemoServer::slow);
    server.createContext("/stream", DemoServer::stream);
    server.createContext("/fail", x -> {
      throw new IllegalStateException("failing on purpose");
    });
    server.start();
    System.out.println("listening on 127.0.0.1:" + server.getAddress().getPort());
    System.out.flush();
  }

  private static void hello(HttpExchange x) throws IOException {
    byte[] body = "hello from an unmodified server\n".getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(200, body.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(body);
    }
  }

  private static void slow(HttpExchange x) throws IOException {
    sleep(Math.min(10_000, param(x.getRequestURI(), "ms", 1000)));
    hello(x);
  }

  private static void stream(HttpExchange x) throws IOException {
    long chunks = Math.min(100, param(x.getRequestURI(), "chunks", 10));
    long ms = Math.min(1000, param(x.getRequestURI(), "ms", 100));
    x.sendResponseHeaders(200, 0); // chunked: committed now, complete when the body closes
    try (OutputStream out = x.getResponseBody()) {
      for (int i = 0; i < chunks; i++) {
        out.write(("chunk " + i + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        sleep(ms);
      }
    }
  }

  private static long param(URI uri, String name, long fallback) {
    String q = uri.getRawQuery();
    if (q != null) {
      for (String kv : q.split("&")) {
        if (kv.startsWith(name + "=")) {
          try {
            return Math.max(0, Long.parseLong(kv.substring(name.length() + 1)));
          } catch (NumberFormatException e) {
            return fallback;
          }
        }
      }
    }
    return fallback;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
