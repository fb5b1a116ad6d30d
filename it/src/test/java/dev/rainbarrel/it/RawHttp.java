package dev.rainbarrel.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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
      OutputStream out = h.socket.getOutputStream();
      byte[] content = body.getBytes(StandardCharsets.US_ASCII);
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: text/plain\r\n"
          + "Content-Length: " + content.length + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = h.answerInput();
      String interim = readHead(in);
      if (!interim.startsWith("HTTP/1.1 100")) {
        throw new IOException("expected 100 Continue first, got: " + interim);
      }
      out.write(content);
      out.flush();
      // the final answer by its length or chunks: some servers keep the connection open after an
      // interim response even when asked to close
      return interim + readAnswer(in);
    }
  }

  /**
   * One whole HTTP/1.1 answer: {@code head}, its status line and fields as sent (with the blank line
   * that ends them); {@code status}, its code; {@code headers}, its fields by lower-case name (the
   * last one of a repeated name); {@code body}, de-chunked when it came in chunks. Its text is the
   * head and the body, for failure messages.
   */
  public record Answer(String head, int status, Map<String, String> headers, String body) {
    @Override
    public String toString() {
      return head + body;
    }
  }

  /** The most one {@link Answer} may take: bytes, and milliseconds in all. */
  static final int ANSWER_MAX_BYTES = 1 << 20;
  static final int ANSWER_MAX_MILLIS = 15_000;

  /**
   * Opens a connection over {@code transport}, sends {@code GET path} and reads its {@linkplain
   * #readAnswer() whole answer}.
   */
  public static Answer getAnswer(Transport transport, int port, String path) throws IOException {
    try (RawHttp h = get(transport, port, path)) {
      return h.readAnswer();
    }
  }

  /**
   * Reads one whole answer: its head, then its body by {@code Content-Length}, by chunks, or, with
   * neither, up to the close (none after a 1xx, 204 or 304). Bounded: {@value #ANSWER_MAX_BYTES}
   * bytes and {@value #ANSWER_MAX_MILLIS} ms in all; fails when the server closes before the answer
   * is whole.
   */
  public Answer readAnswer() throws IOException {
    return readAnswer(answerInput());
  }

  /** The connection's input, buffered and bounded as {@link #readAnswer()} says. */
  private InputStream answerInput() throws IOException {
    return new java.io.BufferedInputStream(new Bounded(socket.getInputStream(), tcp));
  }

  private static Answer readAnswer(InputStream in) throws IOException {
    String head = readHead(in);
    java.util.regex.Matcher statusLine = java.util.regex.Pattern.compile("HTTP/1\\.\\d (\\d{3})[ \r]").matcher(head);
    if (!statusLine.lookingAt()) {
      throw new IOException("not an HTTP/1.1 answer: " + head);
    }
    int status = Integer.parseInt(statusLine.group(1));
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    for (String field : head.split("\r\n")) {
      int colon = field.indexOf(':');
      if (colon > 0 && !field.startsWith("HTTP/")) {
        headers.put(field.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), field.substring(colon + 1).trim());
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (status / 100 == 1 || status == 204 || status == 304) {
      // no body
    } else if (headers.containsKey("content-length")) {
      int length = Integer.parseInt(headers.get("content-length"));
      byte[] b = in.readNBytes(length);
      body.write(b);
      if (b.length < length) {
        throw new IOException("closed after " + b.length + " of " + length + " body bytes: " + head + text(body));
      }
    } else if (headers.getOrDefault("transfer-encoding", "").toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
      for (int size; (size = Integer.parseInt(readLine(in, head).split(";")[0].trim(), 16)) > 0; ) {
        byte[] chunk = in.readNBytes(size);
        body.write(chunk);
        if (chunk.length < size || !readLine(in, head).isEmpty()) {
          throw new IOException("a broken chunk: " + head + text(body));
        }
      }
      while (!readLine(in, head).isEmpty()) {
        // trailer fields
      }
    } else {
      try {
        in.transferTo(body);
      } catch (java.net.SocketException | javax.net.ssl.SSLException e) {
        // reset by the server after the body (over TLS it may show as a TLS error): what arrived is it
      }
    }
    return new Answer(head, status, headers, text(body));
  }

  /** An answer's head up to and with the blank line that ends it; fails if the server closes first. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    for (String line; !(line = readLine(in, head)).isEmpty(); ) {
      head.append(line).append("\r\n");
    }
    return head.append("\r\n").toString();
  }

  /** One line without its CRLF (or bare LF); fails, naming {@code soFar}, if the server closes first. */
  private static String readLine(InputStream in, CharSequence soFar) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new IOException("closed before a whole answer: " + soFar + line);
      }
      line.append((char) b);
    }
    int end = line.length() - (line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? 1 : 0);
    return line.substring(0, end);
  }

  private static String text(ByteArrayOutputStream bytes) {
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * A socket's input that fails once {@value #ANSWER_MAX_BYTES} bytes were read or {@value
   * #ANSWER_MAX_MILLIS} ms passed: each read waits on the TCP socket only until then.
   */
  private static final class Bounded extends InputStream {
    private final InputStream in;
    private final Socket tcp;
    private final long deadline = System.nanoTime() + ANSWER_MAX_MILLIS * 1_000_000L;
    private int left = ANSWER_MAX_BYTES;

    Bounded(InputStream in, Socket tcp) {
      this.in = in;
      this.tcp = tcp;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        throw new IOException("an answer over " + ANSWER_MAX_BYTES + " bytes");
      }
      long wait = (deadline - System.nanoTime()) / 1_000_000L;
      if (wait <= 0) {
        throw new java.net.SocketTimeoutException("no whole answer within " + ANSWER_MAX_MILLIS + " ms");
      }
      tcp.setSoTimeout((int) wait);
      int r = in.read(b, off, Math.min(len, left));
      if (r > 0) {
        left -= r;
      }
      return r;
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
