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
 * keystore), or with {@code -Dit.tlsImplementation=openssl-ffm} too Tomcat's OpenSSL through the FFM
 * API (JDK 22+, tomcat-coyote-ffm on the class path, an {@code OpenSSLLifecycleListener} on the
 * server), and names the connector's {@code SSLEngine} class on stderr ({@code it: TLS engine <class>});
 * with {@code -Dit.h2c=true} it also speaks HTTP/2 (h2c over cleartext, h2 by ALPN over TLS).
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
      if ("openssl-ffm".equals(System.getProperty("it.tlsImplementation"))) {
        // as server.xml's <Listener className="org.apache.catalina.core.OpenSSLLifecycleListener"/>
        tomcat.getServer().addLifecycleListener((org.apache.catalina.LifecycleListener)
            Class.forName("org.apache.catalina.core.OpenSSLLifecycleListener").getConstructor().newInstance());
        connector.setProperty("sslImplementationName", "org.apache.tomcat.util.net.openssl.panama.OpenSSLImplementation");
      }
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
    if (keystore != null) { // the engine class this connector's TLS contexts make for each connection
      System.err.println("it: TLS engine " + connector.findSslHostConfigs()[0].getCertificates().iterator().next()
          .getSslContext().createSSLEngine().getClass().getName());
    }
    System.out.println("PORT " + connector.getLocalPort());
    System.out.flush();
    tomcat.getServer().await();
  }
}
