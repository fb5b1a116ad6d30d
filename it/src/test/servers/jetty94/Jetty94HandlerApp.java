import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.AbstractHandler;

/**
 * An unmodified Jetty 9.4 with a plain {@code Handler} (no servlet, no context): the requests the
 * servlet hooks never see. The same routes as the other apps; compiled by the integration test
 * against target/servers/jetty94 only (or, in the jakarta namespace, against Jetty 11). Prints
 * PORT n.
 */
public final class Jetty94HandlerApp {

  public static void main(String[] args) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Routes());
    server.start();
    System.out.println("PORT " + connector.getLocalPort());
    System.out.flush();
    server.join();
  }

  static final class Routes extends AbstractHandler {
    @Override
    public void handle(String target, Request base, HttpServletRequest req, HttpServletResponse resp)
        throws IOException {
      base.setHandled(true);
      switch (target) {
        case "/ok": Jetty94App.send(resp, 200, "ok"); break;
        case "/echo": Jetty94App.send(resp, 200, Jetty94App.body(req)); break;
        case "/code": int c = Integer.parseInt(req.getParameter("c")); Jetty94App.send(resp, c, "code " + c); break;
        case "/hold": Jetty94App.await(); Jetty94App.send(resp, 200, "held"); break;
        case "/stream": {
          OutputStream out = resp.getOutputStream();
          out.write("first\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          Jetty94App.await();
          out.write("last\n".getBytes(StandardCharsets.US_ASCII));
          break;
        }
        case "/boom": throw new IllegalStateException("boom (expected by the test)");
        case "/abort": {
          OutputStream out = resp.getOutputStream();
          byte[] chunk = new byte[8192];
          for (int i = 0; i < 2000; i++) {
            out.write(chunk);
            out.flush();
            Jetty94App.sleep(10);
          }
          break;
        }
        case "/release": Jetty94App.GATE.release(); Jetty94App.send(resp, 200, "released"); break;
        default: Jetty94App.send(resp, 404, "no route " + target);
      }
    }
  }
}
