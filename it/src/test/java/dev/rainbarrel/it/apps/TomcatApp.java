package dev.rainbarrel.it.apps;

import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * An unmodified embedded Tomcat running {@link TestServlet}. Prints {@code PORT <n>}. With {@code
 * -Dit.virtualThreads=true} (JDK 21+) each request runs on a virtual thread; with {@code
 * -Dit.h2c=true} it also speaks HTTP/2 over cleartext.
 */
public final class TomcatApp {

  public static void main(String[] args) throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("tomcat-it").toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    if (Boolean.getBoolean("it.virtualThreads")) { // JDK 21+: one virtual thread per request
      connector.setProperty("useVirtualThreads", "true");
    }
    if (Boolean.getBoolean("it.h2c")) { // HTTP/2 over cleartext: upgrade from HTTP/1.1 or prior knowledge
      connector.addUpgradeProtocol(new org.apache.coyote.http2.Http2Protocol());
    }
    tomcat.setConnector(connector);
    Context ctx = tomcat.addContext("", null);
    Wrapper w = Tomcat.addServlet(ctx, "test", new TestServlet());
    w.setAsyncSupported(true);
    ctx.addServletMappingDecoded("/*", "test");
    tomcat.start();
    System.out.println("PORT " + connector.getLocalPort());
    System.out.flush();
    tomcat.getServer().await();
  }
}
