package dev.rainbarrel.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 to 127.0.0.1 over a plain socket or, with a {@link Transport} argument, over TLS: one
 * request per connection ({@code Connection: close}), no retries, so every request the test sends
 * reaches the server exactly once.
 */
public final class RawHttp implements AutoCloseable {

  /** Where the HTTP bytes go: the TCP socket itself, or the TLS socket over it. */
  private final Socket socket;
  /** The TCP connection, which {@link #reset()} resets under TLS too. */
  private final Socket tcp;

  private RawHttp(Transport.Connection connection) {
    this.socket = connection.stream();
    this.tcp = connection.tcp();
  }

  /** Opens a connection and sends {@code GET path}. */
  public static RawHttp get(int port, String path) throws IOException {
    return get(Transport.PLAIN, port, path);
  }

  /** The same over {@code transport}. */
  public static RawHttp get(Transport transport, int port, String path) throws IOException {
    RawHttp h = new RawHttp(transport.connect(port));
    h.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    return h;
  }

  private void send(String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /**
   * {@code POST path} with {@code Expect: 100-continue}: sends the head, waits (bounded by the socket
   * timeout) for the interim {@code 100} head, then sends {@code body} and reads the rest until the
   * server closes. Returns everything the server sent, the interim head first.
   */
  public static String postExpectingContinue(int port, String path, String body) throws IOException {
    return postExpectingContinue(Transport.PLAIN, port, path, body);
  }

  /** The same over {@code transport}. */
  public static String postExpectingContinue(Transport transport, int port, String path, String body)
      throws IOException {
    try (RawHttp h = new RawHttp(transport.connect(port))) {
      Socket s = h.socket;
      OutputStream out = s.getOutputStream();
      byte[] content = body.getBytes(StandardCharsets.US_ASCII);
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: text/plain\r\n"
          + "Content-Length: " + content.length + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      while (!got.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed before an interim response: " + got.toString(StandardCharsets.US_ASCII));
        }
        got.write(b);
      }
      if (!got.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 100")) {
        throw new IOException("expected 100 Continue first, got: " + got.toString(StandardCharsets.US_ASCII));
      }
      out.write(content);
      out.flush();
      // the final response: its head, then its body by length (some servers keep the connection
      // open after an interim response even when asked to close), by chunks, or to the close
      int headStart = got.size();
      while (!got.toString(StandardCharsets.US_ASCII).substring(headStart).contains("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed before the final response: " + got.toString(StandardCharsets.US_ASCII));
        }
        got.write(b);
      }
      String head = got.toString(StandardCharsets.US_ASCII).substring(headStart).toLowerCase(java.util.Locale.ROOT);
      java.util.regex.Matcher length = java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(head);
      if (length.find()) {
        got.write(in.readNBytes(Integer.parseInt(length.group(1))));
      } else if (head.contains("transfer-encoding: chunked")) {
        while (!got.toString(StandardCharsets.US_ASCII).endsWith("\r\n0\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          got.write(b);
        }
      } else {
        got.write(h.readAll());
      }
      return got.toString(StandardCharsets.US_ASCII);
    }
  }

  /**
   * Opens a connection and sends one {@code GET} per path in a single write (HTTP/1.1 pipelining,
   * keep-alive: the client closes the connection when it has its answers).
   */
  public static RawHttp pipeline(int port, String... paths) throws IOException {
    return pipeline(Transport.PLAIN, port, paths);
  }

  /** The same over {@code transport} (over TLS the requests go in one write, maybe in one record). */
  public static RawHttp pipeline(Transport transport, int port, String... paths) throws IOException {
    RawHttp h = new RawHttp(transport.connect(port));
    h.tcp.setTcpNoDelay(true);
    StringBuilder all = new StringBuilder();
    for (String path : paths) {
      all.append("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    }
    h.send(all.toString());
    return h;
  }

  /**
   * Reads until {@code n} response heads arrived (bounded by the socket timeout) and returns
   * their status codes in order; fewer if the server closed first.
   */
  public java.util.List<Integer> readStatuses(int n) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder text = new StringBuilder();
    byte[] b = new byte[4096];
    java.util.List<Integer> codes = new java.util.ArrayList<>();
    java.util.regex.Pattern head = java.util.regex.Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
    while (codes.size() < n) {
      int r = in.read(b);
      if (r < 0) {
        break;
      }
      text.append(new String(b, 0, r, StandardCharsets.ISO_8859_1));
      codes.clear();
      java.util.regex.Matcher m = head.matcher(text);
      while (m.find()) {
        codes.add(Integer.parseInt(m.group(1)));
      }
    }
    return codes;
  }

  /** Sends {@code GET path} and returns the status code (-1 if the server closed without one). */
  public static int status(int port, String path) throws IOException {
    return status(Transport.PLAIN, port, path);
  }

  /** The same over {@code transport}. */
  public static int status(Transport transport, int port, String path) throws IOException {
    try (RawHttp h = get(transport, port, path)) {
      return h.readStatusAndDrain();
    }
  }

  /** Reads the whole response; returns its status code or -1 when there was none. */
  public int readStatusAndDrain() throws IOException {
    byte[] all = readAll();
    String head = new String(all, 0, Math.min(all.length, 64), StandardCharsets.US_ASCII);
    if (!head.startsWith("HTTP/1.")) {
      return -1;
    }
    return Integer.parseInt(head.substring(9, 12));
  }

  /** Reads until at least {@code n} bytes arrived (or EOF); returns them. */
  public byte[] readAtLeast(int n) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[4096];
    while (buf.size() < n) {
      int r = in.read(b);
      if (r < 0) {
        break;
      }
      buf.write(b, 0, r);
    }
    return buf.toByteArray();
  }

  private byte[] readAll() throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[4096];
    try {
      for (int r; (r = in.read(b)) >= 0; ) {
        buf.write(b, 0, r);
      }
    } catch (java.net.SocketException | javax.net.ssl.SSLException e) {
      // reset by the server after a failure (over TLS it may show as a TLS error): whatever arrived
      // is the answer
    }
    return buf.toByteArray();
  }

  /**
   * Closes with a TCP reset (SO_LINGER 0): the client abort the server must survive. Over TLS too
   * the TCP connection is closed under the TLS socket, without a {@code close_notify}.
   */
  public void reset() throws IOException {
    tcp.setSoLinger(true, 0);
    tcp.close();
  }

  @Override
  public void close() throws IOException {
    if (!tcp.isClosed()) { // after reset() a TLS socket would try to send its close_notify
      socket.close();
    }
  }
}
