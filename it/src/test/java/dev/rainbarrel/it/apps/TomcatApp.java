package dev.rainbarrel.it.apps;

import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * An unmodified embedded Tomcat running {@link TestServlet}. Prints {@code PORT <n>}. With {@code
 * -Dit.virtualThreads=true} (JDK 21+) each request runs on a virtual thread; with {@code
 * -Dit.tlsKeystore=<PKCS12>} its connector serves HTTPS (JSSE, an {@code SSLHostConfig} with that
 * keystore); with {@code -Dit.h2c=true} it also speaks HTTP/2 (h2c over cleartext, h2 by ALPN over TLS).
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
    if (Boolean.getBoolean("it.h2c")) { // HTTP/2: h2c upgrade or prior knowledge; with TLS, h2 by ALPN
      connector.addUpgradeProtocol(new org.apache.coyote.http2.Http2Protocol());
    }
    String keystore = System.getProperty("it.tlsKeystore");
    if (keystore != null) { // TLS (JSSE) with this PKCS12 keystore, password "changeit"
      connector.setSecure(true);
      connector.setScheme("https");
      connector.setProperty("SSLEnabled", "true");
      org.apache.tomcat.util.net.SSLHostConfig tls = new org.apache.tomcat.util.net.SSLHostConfig();
      org.apache.tomcat.util.net.SSLHostConfigCertificate cert = new org.apache.tomcat.util.net.SSLHostConfigCertificate(
          tls, org.apache.tomcat.util.net.SSLHostConfigCertificate.Type.RSA);
      cert.setCertificateKeystoreFile(keystore);
      cert.setCertificateKeystorePassword("changeit");
      cert.setCertificateKeystoreType("PKCS12");
      tls.addCertificate(cert);
      connector.addSslHostConfig(tls);
    }
    tomcat.setConnector(connector);
    Context ctx = tomcat.addContext("", null);
    Wrapper w = Tomcat.addServlet(ctx, "test", new TestServlet());
    w.setAsyncSupported(true);
    ctx.addServletMappingDecoded("/*", "test");
    if (Boolean.getBoolean("it.webSocket")) { // /ws: a JSR 356 echo endpoint (needs tomcat-embed-websocket)
      Class.forName("dev.rainbarrel.it.apps.TomcatWebSocket").getMethod("install", Context.class).invoke(null, ctx);
    }
    tomcat.start();
    System.out.println("PORT " + connector.getLocalPort());
    System.out.flush();
    tomcat.getServer().await();
  }
}
