package dev.rainbarrel.it.apps;

import io.netty.channel.Channel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLEngine;

/**
 * Which TLS engine a Netty connection runs, for the tests to check it (the Netty apps' and the
 * WebFlux app's {@code /tls}), and the Netty apps' choice of provider.
 */
public final class NettyTls {

  private NettyTls() {}

  /**
   * The JDK provider, or with {@code -Dit.sslProvider=openssl} Netty's OpenSSL engine (netty-tcnative
   * on the class path; no fallback to the JDK: without the library the context fails to build).
   */
  public static SslProvider provider() {
    return "openssl".equals(System.getProperty("it.sslProvider")) ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /**
   * {@code engine=<class> openssl-engine=<is it Netty's OpenSSL engine> library=<the OpenSSL flavour
   * tcnative loaded, or null>} for the {@code SslHandler} of {@code channel} or of its parent (an
   * HTTP/2 stream's connection); {@code engine=none} without one.
   */
  public static String describe(Channel channel) {
    SslHandler ssl = null;
    for (Channel c = channel; c != null && ssl == null; c = c.parent()) {
      ssl = c.pipeline().get(SslHandler.class);
    }
    if (ssl == null) {
      return "engine=none";
    }
    SSLEngine engine = ssl.engine();
    boolean openSsl = false; // by name: without tcnative the OpenSSL engine class cannot even load
    for (Class<?> k = engine.getClass(); k != null && !openSsl; k = k.getSuperclass()) {
      openSsl = k.getName().equals("io.netty.handler.ssl.ReferenceCountedOpenSslEngine");
    }
    return "engine=" + engine.getClass().getName() + " openssl-engine=" + openSsl + " library=" + OpenSsl.versionString();
  }
}
