package dev.rainbarrel.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A complete (non-streamed) response: status, headers in order, body bytes. */
final class Response {
  final int status;
  final Map<String, String> headers = new LinkedHashMap<>();
  final byte[] body;

  Response(int status, String contentType, String body) {
    this.status = status;
    this.body = body.getBytes(StandardCharsets.UTF_8);
    headers.put("Content-Type", contentType);
  }

  Response header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  static Response text(int status, String body) {
    return new Response(status, "text/plain", body);
  }

  static Response notFound() {
    return text(404, "Not Found\n");
  }
}
