package dev.rainbarrel.bench.startup;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Startup-time app for {@code bench/startup.sh}: Jetty 12 with one ee10 servlet answering {@code GET
 * /} with {@code hello}, bound to 127.0.0.1 on the port given as the only argument. A servlet (not a
 * core handler) because that is what Jetty users run, and it goes through the agent's servlet hooks.
 */
public final class JettyHello {

  private JettyHello() {}

  /** @param args the port to bind on 127.0.0.1 */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: JettyHello PORT");
    }
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(Integer.parseInt(args[0]));
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(Hello.class, "/");
    server.setHandler(context);
    server.start();
    server.join();
  }

  /** Answers every GET with {@code hello}. */
  public static final class Hello extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
      resp.setContentType("text/plain");
      resp.setContentLength(body.length);
      resp.getOutputStream().write(body);
    }
  }
}
