package dev.rainbarrel.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 over a plain socket to 127.0.0.1: one request per connection ({@code Connection:
 * close}), no retries, so every request the test sends reaches the server exactly once.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;

  private RawHttp(Socket socket) {
    this.socket = socket;
  }

  /** Opens a connection and sends {@code GET path}. */
  public static RawHttp get(int port, String path) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(15000);
    OutputStream out = s.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return new RawHttp(s);
  }

  /**
   * {@code POST path} with {@code Expect: 100-continue}: sends the head, waits (bounded by the socket
   * timeout) for the interim {@code 100} head, then sends {@code body} and reads the rest until the
   * server closes. Returns everything the server sent, the interim head first.
   */
  public static String postExpectingContinue(int port, String path, String body) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(15000);
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
        got.write(new RawHttp(s).readAll());
      }
      return got.toString(StandardCharsets.US_ASCII);
    }
  }

  /**
   * Opens a connection and sends one {@code GET} per path in a single write (HTTP/1.1 pipelining,
   * keep-alive: the client closes the connection when it has its answers).
   */
  public static RawHttp pipeline(int port, String... paths) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(15000);
    s.setTcpNoDelay(true);
    StringBuilder all = new StringBuilder();
    for (String path : paths) {
      all.append("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    }
    OutputStream out = s.getOutputStream();
    out.write(all.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return new RawHttp(s);
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
    try (RawHttp h = get(port, path)) {
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
    } catch (java.net.SocketException e) {
      // reset by the server after a failure: whatever arrived is the answer
    }
    return buf.toByteArray();
  }

  /** Closes with a TCP reset (SO_LINGER 0): the client abort the server must survive. */
  public void reset() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
