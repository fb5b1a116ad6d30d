package dev.rainbarrel.it.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * An unmodified JDK HttpServer: the routes every server app offers (see {@code ServerScenarios}).
 * Prints {@code PORT <n>} when ready. With {@code -Dit.virtualThreads=true} (JDK 21+) every exchange
 * runs on a virtual thread of its own; with {@code -Dit.tlsKeystore=<PKCS12>} it is an {@link
 * HttpsServer} with that key.
 */
public final class JdkHttpApp {

  public static void main(String[] args) throws Exception {
    HttpServer server = create(new InetSocketAddress("127.0.0.1", 0));
    server.setExecutor(VirtualThreadsOption.enabled()
        ? VirtualThreadsOption.perTaskExecutor()
        : Executors.newFixedThreadPool(8));
    server.createContext("/thread", ex -> send(ex, 200, Thread.currentThread().toString()));
    server.createContext("/ok", ex -> send(ex, 200, "ok"));
    server.createContext("/echo", ex -> send(ex, 200, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII)));
    server.createContext("/code", ex -> {
      int code = Integer.parseInt(ex.getRequestURI().getQuery().substring(2));
      send(ex, code, "code " + code);
    });
    server.createContext("/hold", ex -> {
      try {
        Gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      send(ex, 200, "held");
    });
    server.createContext("/stream", ex -> {
      ex.sendResponseHeaders(200, 0); // chunked
      try (OutputStream out = ex.getResponseBody()) {
        out.write("first\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Gate.await();
        out.write("last\n".getBytes(StandardCharsets.US_ASCII));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.createContext("/boom", ex -> {
      throw new IllegalStateException("boom (expected by the test)");
    });
    server.createContext("/abort", ex -> {
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      byte[] chunk = new byte[8192];
      for (int i = 0; i < 2000; i++) { // ~16 MB over up to 20 s: the client resets long before
        out.write(chunk);
        out.flush();
        sleep(10);
      }
      out.close();
    });
    server.createContext("/release", ex -> {
      Gate.release();
      send(ex, 200, "released");
    });
    server.start();
    System.out.println("PORT " + server.getAddress().getPort());
    System.out.flush();
  }

  /** Plain HTTP, or HTTPS (same exchanges, same routes) with {@code -Dit.tlsKeystore}. */
  private static HttpServer create(InetSocketAddress address) throws Exception {
    if (!TlsKeystore.enabled()) {
      return HttpServer.create(address, 50);
    }
    HttpsServer https = HttpsServer.create(address, 50);
    https.setHttpsConfigurator(new HttpsConfigurator(TlsKeystore.sslContext()));
    return https;
  }

  private static void send(HttpExchange ex, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.US_ASCII);
    ex.sendResponseHeaders(code, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
