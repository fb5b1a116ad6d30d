import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.servlet.AsyncContext;
import javax.servlet.DispatcherType;
import javax.servlet.ServletOutputStream;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * An unmodified Jetty 9.4 with a javax.servlet (3.1) servlet: the same routes as the jakarta apps.
 * Compiled by the integration test against target/servers/jetty94 only (its classes clash with
 * Jetty 12 on the test class path). With {@code -Dit.tlsKeystore=<PKCS12>} (password "changeit")
 * it speaks HTTP/1.1 over TLS; with {@code -Dit.webSocket=true} it also has the {@code /ws} echo
 * WebSocket of {@code Jetty94WebSocket} (JSR 356 on Jetty 9.4, 10 and 11) or, in Jetty 12's ee8
 * environment, of {@code Jetty12Ee8WebSocket}, whichever was compiled with it. Prints PORT n.
 */
public final class Jetty94App {

  static final Semaphore GATE = new Semaphore(0);

  public static void main(String[] args) throws Exception {
    Server server = new Server();
    ServerConnector connector = connector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder holder = new ServletHolder(new Routes());
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    if (Boolean.getBoolean("it.webSocket")) { // /ws: an echo WebSocket (needs the WebSocket jars)
      webSocket().getMethod("install", ServletContextHandler.class).invoke(null, context);
    }
    server.setHandler(context);
    server.start();
    System.out.println("PORT " + connector.getLocalPort());
    System.out.flush();
    server.join();
  }

  /** The WebSocket class compiled with this app: ee8's on Jetty 12, else the JSR 356 one. */
  static Class<?> webSocket() throws ClassNotFoundException {
    try {
      return Class.forName("Jetty12Ee8WebSocket");
    } catch (ClassNotFoundException e) {
      return Class.forName("Jetty94WebSocket");
    }
  }

  /** Plain HTTP/1.1, or over TLS with the keystore of {@code -Dit.tlsKeystore}. */
  static ServerConnector connector(Server server) {
    String keystore = System.getProperty("it.tlsKeystore");
    if (keystore == null) {
      return new ServerConnector(server);
    }
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStorePath(keystore);
    tls.setKeyStorePassword("changeit");
    tls.setKeyStoreType("PKCS12");
    HttpConfiguration config = new HttpConfiguration();
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false); // the test connects to 127.0.0.1: no SNI name to check
    config.addCustomizer(secure);
    return new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(config));
  }

  public static final class Routes extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if ("/echo".equals(req.getRequestURI())) { // reading the body makes the container send 100 Continue
        send(resp, 200, body(req));
      } else {
        send(resp, 405, "GET only");
      }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String path = req.getRequestURI();
      switch (path) {
        case "/ok": send(resp, 200, "ok"); break;
        // Jetty 9.4-11: the servlet request is the agent's key, Jetty's Request (none of Jetty 12's ee8)
        case "/slot": send(resp, 200, dev.rainbarrel.it.apps.TrackingKey.describe(req)); break;
        case "/code": int c = Integer.parseInt(req.getParameter("c")); send(resp, c, "code " + c); break;
        case "/hold": await(); send(resp, 200, "held"); break;
        case "/stream": {
          ServletOutputStream out = resp.getOutputStream();
          out.write("first\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          await();
          out.write("last\n".getBytes(StandardCharsets.US_ASCII));
          break;
        }
        case "/boom": throw new IllegalStateException("boom (expected by the test)");
        case "/abort": {
          ServletOutputStream out = resp.getOutputStream();
          byte[] chunk = new byte[8192];
          for (int i = 0; i < 2000; i++) {
            out.write(chunk);
            out.flush();
            sleep(10);
          }
          break;
        }
        case "/async": {
          AsyncContext ctx = req.startAsync();
          new Thread(() -> {
            sleep(150);
            try {
              send((HttpServletResponse) ctx.getResponse(), 200, "async");
            } catch (IOException e) {
              // the test sees the missing body
            }
            ctx.complete();
          }, "async-completer").start();
          break;
        }
        case "/async-dispatch": {
          if (req.getDispatcherType() == DispatcherType.ASYNC) {
            send(resp, 200, "dispatched"); // the second dispatch, on the container's thread
          } else {
            AsyncContext ctx = req.startAsync();
            new Thread(() -> {
              sleep(150);
              ctx.dispatch();
            }, "async-dispatcher").start();
          }
          break;
        }
        case "/async-timeout":
          if (req.getDispatcherType() == DispatcherType.REQUEST) {
            req.startAsync().setTimeout(300); // never completed: the container times it out (500)
          } else {
            resp.sendError(500, "async timeout"); // the container's ERROR dispatch after the timeout
          }
          break;
        case "/forward":
          try {
            req.getRequestDispatcher("/ok").forward(req, resp);
          } catch (javax.servlet.ServletException e) {
            throw new IOException(e);
          }
          break;
        case "/release": GATE.release(); send(resp, 200, "released"); break;
        default: send(resp, 404, "no route " + path);
      }
    }
  }

  static void await() throws IOException {
    try {
      GATE.tryAcquire(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
  }

  /** The request body as ASCII (servlet 3.1 has no readAllBytes). */
  static String body(HttpServletRequest req) throws IOException {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    byte[] b = new byte[256];
    for (int n; (n = req.getInputStream().read(b)) >= 0; ) {
      body.write(b, 0, n);
    }
    return new String(body.toByteArray(), StandardCharsets.US_ASCII);
  }

  static void send(HttpServletResponse resp, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.US_ASCII);
    resp.setStatus(code);
    resp.setContentLength(b.length);
    resp.getOutputStream().write(b);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
