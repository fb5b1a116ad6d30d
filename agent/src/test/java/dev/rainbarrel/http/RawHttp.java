package dev.rainbarrel.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A byte-level HTTP/1.x client for tests: sends exactly the given request, reads the raw response. */
final class RawHttp {
  private RawHttp() {}

  /** A parsed response; header names are kept as sent, looked up case-insensitively. */
  record Reply(int status, String statusLine, List<String[]> headers, byte[] body) {
    String header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return h[1];
        }
      }
      return null;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Sends {@code method path} with {@code Connection: close} and extra header lines; reads to EOF. */
  static Reply request(InetSocketAddress to, String method, String path, String... headerLines) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (String h : headerLines) {
      sb.append(h).append("\r\n");
    }
    sb.append("\r\n");
    return exchange(to, sb.toString().getBytes(StandardCharsets.ISO_8859_1), 10_000);
  }

  static Reply get(InetSocketAddress to, String path, String... headerLines) throws IOException {
    return request(to, "GET", path, headerLines);
  }

  /** Writes {@code raw}, reads until the server closes (or the timeout), parses what came back. */
  static Reply exchange(InetSocketAddress to, byte[] raw, int timeoutMillis) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(to, 5000);
      s.setSoTimeout(timeoutMillis);
      OutputStream out = s.getOutputStream();
      out.write(raw);
      out.flush();
      byte[] all = readAll(s.getInputStream());
      return parse(all, raw.length > 4 && new String(raw, 0, 4, StandardCharsets.ISO_8859_1).equals("HEAD"));
    }
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    in.transferTo(b);
    return b.toByteArray();
  }

  static Reply parse(byte[] all, boolean head) throws IOException {
    int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
    if (end < 0) {
      throw new IOException("no complete response head in " + all.length + " bytes: "
          + new String(all, StandardCharsets.ISO_8859_1));
    }
    String[] lines = new String(all, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      headers.add(new String[] {lines[i].substring(0, c), lines[i].substring(c + 1).trim()});
    }
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    byte[] rest = java.util.Arrays.copyOfRange(all, end + 4, all.length);
    Reply r = new Reply(status, lines[0], headers, rest);
    String te = r.header("Transfer-Encoding");
    if (!head && te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      return new Reply(status, lines[0], headers, dechunk(rest));
    }
    return r;
  }

  static byte[] dechunk(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < b.length) {
      int crlf = indexOf(b, new byte[] {'\r', '\n'}, i);
      if (crlf < 0) {
        break; // stream cut mid-chunk header
      }
      int size = Integer.parseInt(new String(b, i, crlf - i, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      int from = crlf + 2;
      out.write(b, from, Math.min(size, b.length - from));
      i = from + size + 2;
    }
    return out.toByteArray();
  }

  static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
