package dev.rainbarrel.it.apps;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An unmodified Jetty 12 (ee10 servlets) running {@link TestServlet}. Prints {@code PORT <n>}.
 * With {@code -Dit.virtualThreads=true} (JDK 21+) the servlets run on virtual threads.
 */
public final class Jetty12App {

  public static void main(String[] args) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool();
    if (VirtualThreadsOption.enabled()) { // blocking work (the servlets) runs on virtual threads
      threads.setVirtualThreadsExecutor(VirtualThreadsOption.perTaskExecutor());
    }
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder holder = new ServletHolder(new TestServlet());
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    server.setHandler(context);
    server.start();
    System.out.println("PORT " + connector.getLocalPort());
    System.out.flush();
    server.join();
  }
}
