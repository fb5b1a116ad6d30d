package dev.rainbarrel.bench.servers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Hello-world {@code com.sun.net.httpserver} server for the load test: {@code GET /} answers
 * {@code hello\n} with a Content-Length, so connections stay alive. The handler runs on the
 * server's own dispatcher thread (no executor), the JDK's default and fastest set-up for a
 * trivial handler.
 *
 * <p>Usage: {@code java -cp ... dev.rainbarrel.bench.servers.JdkHttpHello PORT}; prints
 * {@code READY <port>} when listening on 127.0.0.1.
 */
public final class JdkHttpHello {

  private JdkHttpHello() {}

  public static void main(String[] args) throws IOException {
    int port = ServerArgs.port("JdkHttpHello", args);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    server.createContext("/", JdkHttpHello::handle);
    server.start();
    ServerArgs.ready(server.getAddress().getPort());
  }

  private static void handle(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody(); OutputStream out = ex.getResponseBody()) {
      in.transferTo(OutputStream.nullOutputStream());
      ex.getResponseHeaders().set("Content-Type", "text/plain");
      ex.sendResponseHeaders(200, ServerArgs.BODY.length);
      out.write(ServerArgs.BODY);
    }
  }
}
