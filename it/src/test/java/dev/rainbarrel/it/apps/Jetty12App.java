package dev.rainbarrel.it.apps;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An unmodified Jetty 12 (ee10 servlets) running {@link TestServlet}. Prints {@code PORT <n>}.
 * With {@code -Dit.virtualThreads=true} (JDK 21+) the servlets run on virtual threads; with {@code
 * -Dit.h2c=true} it also speaks HTTP/2 over cleartext; with {@code -Dit.tlsKeystore=<PKCS12>} it
 * speaks HTTP/1.1 over TLS instead of cleartext, and with both HTTP/2 over TLS (h2 by ALPN).
 */
public final class Jetty12App {

  public static void main(String[] args) throws Exception {
    Server server = server();
    ServerConnector connector = connector(server);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder holder = new ServletHolder(new TestServlet());
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    if (Boolean.getBoolean("it.webSocket")) { // /ws: a JSR 356 echo endpoint (needs the WebSocket jars)
      Class.forName("dev.rainbarrel.it.apps.Jetty12WebSocket").getMethod("install", ServletContextHandler.class)
          .invoke(null, context);
    }
    server.setHandler(context);
    server.start();
    System.out.println("PORT " + connector.getLocalPort());
    System.out.flush();
    server.join();
  }

  /** A server whose blocking work runs on virtual threads with {@code -Dit.virtualThreads=true}. */
  static Server server() {
    QueuedThreadPool threads = new QueuedThreadPool();
    if (VirtualThreadsOption.enabled()) {
      threads.setVirtualThreadsExecutor(VirtualThreadsOption.perTaskExecutor());
    }
    return new Server(threads);
  }

  /**
   * Its connector on 127.0.0.1, any port, added to it; with {@code -Dit.h2c=true} also HTTP/2 over
   * cleartext (upgrade from HTTP/1.1 or prior knowledge); with {@code -Dit.tlsKeystore} HTTP/1.1
   * over TLS, and with both h2 or HTTP/1.1 over TLS, as ALPN picks (the JDK's, from
   * jetty-alpn-java-server).
   */
  static ServerConnector connector(Server server) throws Exception {
    ServerConnector connector;
    if (TlsKeystore.enabled()) {
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setSslContext(TlsKeystore.sslContext());
      HttpConfiguration config = new HttpConfiguration();
      // the test connects to 127.0.0.1, so no SNI name arrives to check against the certificate
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      secure.setSniHostCheck(false);
      config.addCustomizer(secure);
      if (Boolean.getBoolean("it.h2c")) { // TLS, then ALPN, then the protocol it picked (a client without ALPN: HTTP/1.1)
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol(HttpVersion.HTTP_1_1.asString());
        connector = new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn,
            new HTTP2ServerConnectionFactory(config), new HttpConnectionFactory(config));
      } else {
        connector = new ServerConnector(server, new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
            new HttpConnectionFactory(config));
      }
    } else if (Boolean.getBoolean("it.h2c")) {
      HttpConfiguration config = new HttpConfiguration();
      connector = new ServerConnector(server, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));
    } else {
      connector = new ServerConnector(server);
    }
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    return connector;
  }
}
