package dev.rainbarrel.it.apps;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * {@code -Dit.tlsKeystore=<PKCS12 file>} (password {@value #PASSWORD}, made by the test with
 * {@code keytool}): the test apps serve HTTPS with its key instead of plain HTTP. The apps whose
 * server takes a JSSE object get it from here, so every app reads the option the same way.
 */
public final class TlsKeystore {

  /** The keystore's and its key's password. */
  public static final String PASSWORD = "changeit";

  private TlsKeystore() {}

  /** Whether the test asked for TLS. */
  public static boolean enabled() {
    return path() != null;
  }

  /** The keystore file, or null without the option. */
  public static String path() {
    return System.getProperty("it.tlsKeystore");
  }

  /** Key managers over the keystore's key (Netty's {@code SslContextBuilder.forServer} takes these). */
  public static KeyManagerFactory keyManagerFactory() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(Path.of(path()))) {
      store.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD.toCharArray());
    return kmf;
  }

  /** A server {@link SSLContext} with the keystore's key (no client certificates). */
  public static SSLContext sslContext() throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagerFactory().getKeyManagers(), null, null);
    return tls;
  }
}
