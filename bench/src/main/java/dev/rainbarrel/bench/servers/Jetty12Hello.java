package dev.rainbarrel.bench.servers;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Hello-world Jetty 12 server (core {@link Handler}, no servlet) for the load and footprint
 * scripts: {@code GET /} answers {@code hello\n} with a Content-Length, keep-alive. Jetty's
 * default thread pool and one HTTP/1.1 connector.
 *
 * <p>Usage: {@code java -cp ... dev.rainbarrel.bench.servers.Jetty12Hello PORT}; prints
 * {@code READY <port>} when listening on 127.0.0.1.
 */
public final class Jetty12Hello {

  private Jetty12Hello() {}

  public static void main(String[] args) throws Exception {
    int port = ServerArgs.port("Jetty12Hello", args);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(new Hello());
    server.start();
    ServerArgs.ready(connector.getLocalPort());
    server.join();
  }

  /** Answers every request with the fixed body; never blocks, so Jetty may run it inline. */
  private static final class Hello extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, ServerArgs.BODY.length);
      response.write(true, ByteBuffer.wrap(ServerArgs.BODY), callback);
      return true;
    }
  }
}
