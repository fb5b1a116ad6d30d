package dev.rainbarrel.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * How {@link RawHttp} reaches a server on 127.0.0.1: {@link #PLAIN} TCP, or {@linkplain #tls TLS}
 * layered over a TCP connection of its own (so that a test can still reset that connection).
 */
public final class Transport {

  /** HTTP over a plain TCP connection. */
  public static final Transport PLAIN = new Transport(null);

  private static final String HOST = "127.0.0.1";

  private final SSLContext tls;

  private Transport(SSLContext tls) {
    this.tls = tls;
  }

  /**
   * HTTPS: a TLS handshake with the server first, trusting what {@code context} trusts and checking
   * the certificate against the address {@value #HOST} (its subject alternative name).
   */
  public static Transport tls(SSLContext context) {
    return new Transport(context);
  }

  /** Whether this is TLS. */
  public boolean isTls() {
    return tls != null;
  }

  /**
   * A JDK {@link HttpClient} that reaches the server as this transport does: over TLS it trusts
   * what the TLS context trusts (and checks the certificate against the address, as the client
   * does by default); in cleartext it is {@link HttpClient#newHttpClient()}.
   */
  HttpClient httpClient() {
    HttpClient.Builder b = HttpClient.newBuilder();
    return (tls == null ? b : b.sslContext(tls)).build();
  }

  /**
   * A connection's two sockets: {@code tcp}, the TCP connection, and {@code stream}, where the HTTP
   * bytes go (the same socket, or the TLS socket over it).
   */
  record Connection(Socket tcp, Socket stream) {}

  /** Connects (5 s) with a 15 s read timeout; over TLS the handshake is done when this returns. */
  Connection connect(int port) throws IOException {
    Socket tcp = new Socket();
    tcp.connect(new InetSocketAddress(HOST, port), 5000);
    tcp.setSoTimeout(15000);
    if (tls == null) {
      return new Connection(tcp, tcp);
    }
    try {
      SSLSocket stream = (SSLSocket) tls.getSocketFactory().createSocket(tcp, HOST, port, true);
      SSLParameters params = stream.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name 127.0.0.1
      stream.setSSLParameters(params);
      stream.startHandshake(); // fails here, not at the first read, when the server speaks no TLS
      return new Connection(tcp, stream);
    } catch (IOException | RuntimeException e) {
      tcp.close();
      throw e;
    }
  }
}
