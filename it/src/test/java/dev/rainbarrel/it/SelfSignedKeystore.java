package dev.rainbarrel.it;

import dev.rainbarrel.it.apps.TlsKeystore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The test servers' TLS identity: a self-signed RSA key for {@code 127.0.0.1} that {@code keytool}
 * makes at test time (no key material in the repository), and a client context that trusts it and
 * nothing else.
 */
final class SelfSignedKeystore {

  private SelfSignedKeystore() {}

  /**
   * Makes {@code server.p12} in {@code dir} with {@code jdk}'s {@code keytool}: PKCS12, password
   * {@value TlsKeystore#PASSWORD}, subject alternative name {@code ip:127.0.0.1}, valid for two days.
   */
  static Path create(Jdk jdk, Path dir) throws Exception {
    Path keystore = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(jdk.java().resolveSibling("keytool").toString(), "-genkeypair",
        "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", TlsKeystore.PASSWORD, "-keypass", TlsKeystore.PASSWORD).redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
    return keystore;
  }

  /** A client {@link SSLContext} whose only trusted certificate is the one in {@code keystore}. */
  static SSLContext clientContext(Path keystore) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      trust.load(in, TlsKeystore.PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return tls;
  }
}
