package dev.rainbarrel.it;

import static dev.rainbarrel.it.Counters.delta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The request scenarios every server must pass, run in order against one child server (each
 * asserts exact deltas of the counters it touches, so they share one JVM start). Every request is
 * sent on its own connection with {@link RawHttp} (no client retries), over plain TCP or over the
 * {@link Transport} given.
 */
final class ServerScenarios {

  private final int port;
  private final Counters counters;
  private final String name;
  private final Transport transport;
  private int connections;

  ServerScenarios(String name, int port, Counters counters) {
    this(name, port, counters, Transport.PLAIN);
  }

  /** Scenarios whose requests go over {@code transport} (e.g. TLS). */
  ServerScenarios(String name, int port, Counters counters, Transport transport) {
    this.name = name;
    this.port = port;
    this.counters = counters;
    this.transport = transport;
  }

  private int status(String path) throws IOException {
    connections++;
    return RawHttp.status(transport, port, path);
  }

  private RawHttp open(String path) throws IOException {
    connections++;
    return RawHttp.get(transport, port, path);
  }

  /** Waits until the request count moved by {@code n} and nothing is in flight, then settles. */
  /** {@code calling} and {@code writing} are back to 0: nothing leaked. */
  private void assertNothingInFlight(Map<String, Long> after) {
    assertEquals(0, after.get("calling"), name + ": calling " + after);
    assertEquals(0, after.get("writing"), name + ": writing " + after);
  }

  private Map<String, Long> settle(Map<String, Long> before, long n) throws Exception {
    return settle(before, n, 10_000);
  }

  private Map<String, Long> settle(Map<String, Long> before, long n, long timeoutMillis) throws Exception {
    counters.await(m -> delta(before, m, "requests") >= n && m.getOrDefault("calling", 0L) == 0
        && m.getOrDefault("writing", 0L) == 0, timeoutMillis);
    Thread.sleep(150); // anything counted twice would show up now
    return counters.read();
  }

  /**
   * Reads the stream until its {@code first} chunk or event arrived, with the blank line that ends
   * the event when {@code wholeEvent} (bounded: 100 reads, each within the socket timeout).
   */
  private String readFirstEvent(RawHttp stream, boolean wholeEvent) throws IOException {
    String got = new String(stream.readAtLeast(1), StandardCharsets.US_ASCII);
    for (int i = 0; i < 100 && !(got.contains("first")
        && (!wholeEvent || got.substring(got.indexOf("first")).contains("\n\n"))); i++) {
      got += new String(stream.readAtLeast(1), StandardCharsets.US_ASCII);
    }
    assertTrue(got.contains("first"), name + ": first event: " + got);
    return got;
  }

  /** N plain requests, a forward (servlet) and two status classes: exact totals. */
  void plainRequests(boolean forward) throws Exception {
    Map<String, Long> before = counters.read();
    for (int i = 0; i < 5; i++) {
      assertEquals(200, status("/ok"), name + ": /ok");
    }
    int extra2xx = 0;
    if (forward) {
      assertEquals(200, status("/forward"), name + ": /forward");
      extra2xx = 1;
    }
    assertEquals(404, status("/code?c=404"), name + ": /code?c=404");
    assertEquals(503, status("/code?c=503"), name + ": /code?c=503");
    Map<String, Long> after = settle(before, 7 + extra2xx);
    assertEquals(7 + extra2xx, delta(before, after, "requests"), name + ": requests " + after);
    assertEquals(5 + extra2xx, delta(before, after, "responses_2xx"), name + ": 2xx " + after);
    assertEquals(1, delta(before, after, "responses_4xx"), name + ": 4xx " + after);
    assertEquals(1, delta(before, after, "responses_5xx"), name + ": 5xx " + after);
    assertEquals(0, delta(before, after, "errors"), name + ": errors " + after);
    assertEquals(7 + extra2xx, delta(before, after, "request_duration.count"),
        name + ": one request_duration sample per request " + after);
  }

  /**
   * {@code GET path} answers 200 with a body containing {@code expected} (e.g. the app's {@code
   * /server} route naming the running web server) and counts once.
   */
  void answers(String path, String expected) throws Exception {
    Map<String, Long> before = counters.read();
    connections++;
    RawHttp.Answer response = RawHttp.getAnswer(transport, port, path);
    assertTrue(response.head().startsWith("HTTP/1.1 200") && response.body().contains(expected),
        name + ": " + path + " did not answer " + expected + ": " + response);
    Map<String, Long> after = settle(before, 1);
    assertEquals(1, delta(before, after, "requests"), name + ": " + path + " counted once " + after);
  }

  /**
   * The request's tracking key (the app's {@code /slot}, {@link dev.rainbarrel.it.apps.TrackingKey})
   * is of one of {@code keyClasses}, has the agent's in-flight slot field, and the in-flight table
   * recorded its slot there (the request was found through the field, not an identity hash); the
   * request counts once and leaves nothing in flight.
   */
  void trackingKeySlotted(String... keyClasses) throws Exception {
    Map<String, Long> before = counters.read();
    connections++;
    RawHttp.Answer response = RawHttp.getAnswer(transport, port, "/slot");
    String[] words = response.body().trim().split(" ");
    assertTrue(response.head().startsWith("HTTP/1.1 200") && words.length == 3
        && List.of(keyClasses).contains(words[0]) && words[1].equals("slot") && Integer.parseInt(words[2]) > 0,
        name + ": /slot should name a slotted key of " + List.of(keyClasses) + " with its slot: " + response);
    Map<String, Long> after = settle(before, 1);
    assertEquals(1, delta(before, after, "requests"), name + ": /slot counted once " + after);
    assertNothingInFlight(after);
  }

  /** A request held inside the handler is {@code calling} = 1 and not yet a completed request. */
  void heldRequest() throws Exception {
    Map<String, Long> before = counters.read();
    try (RawHttp held = open("/hold")) {
      Map<String, Long> during = counters.await(m -> m.getOrDefault("calling", 0L) == 1, 10_000);
      assertEquals(1, during.get("calling"), name + ": calling while held " + during);
      assertEquals(0, delta(before, during, "requests"), name + ": held request not complete " + during);
      assertEquals(200, status("/release"), name + ": /release");
      assertEquals(200, held.readStatusAndDrain(), name + ": held request");
    }
    Map<String, Long> after = settle(before, 2);
    assertEquals(2, delta(before, after, "requests"), name + ": " + after);
    assertEquals(0, after.get("calling"), name + ": calling after " + after);
  }

  /** A committed response still streaming is {@code writing} = 1 (and still calling). */
  void streamingResponse() throws Exception {
    streamingResponse(1);
  }

  /**
   * A committed response still streaming is {@code writing} = 1; {@code calling} is 1 for
   * thread-per-request servers (the handler is still writing) and 0 for event-driven ones.
   */
  void streamingResponse(long callingWhileStreaming) throws Exception {
    streamingResponse("/stream", callingWhileStreaming);
  }

  /** The same on another route, e.g. a server-sent event stream sent from an application thread. */
  void streamingResponse(String path, long callingWhileStreaming) throws Exception {
    Map<String, Long> before = counters.read();
    try (RawHttp stream = open(path)) {
      readFirstEvent(stream, false);
      // (an application thread may write the first chunk while the container thread is still
      // leaving the handler: wait for calling to settle too)
      Map<String, Long> during = counters.await(m -> m.getOrDefault("writing", 0L) == 1
          && m.getOrDefault("calling", 0L) == callingWhileStreaming, 10_000);
      assertEquals(1, during.get("writing"), name + ": writing while streaming " + during);
      assertEquals(callingWhileStreaming, during.get("calling"), name + ": calling while streaming " + during);
      assertEquals(200, status("/release"), name + ": /release");
    }
    Map<String, Long> after = settle(before, 2);
    assertEquals(2, delta(before, after, "requests"), name + ": " + before + " -> " + after);
    assertEquals(2, delta(before, after, "responses_2xx"), name + ": " + before + " -> " + after);
    assertEquals(0, after.get("writing"), name + ": writing after " + after);
  }

  /** An async servlet completed on another thread counts once, at completion. */
  void asyncRequest() throws Exception {
    asyncRequest("/async");
  }

  /**
   * An async request ({@code startAsync}, then {@code complete} or {@code dispatch} from another
   * thread) counts once, with its status.
   */
  void asyncRequest(String path) throws Exception {
    Map<String, Long> before = counters.read();
    assertEquals(200, status(path), name + ": " + path);
    Map<String, Long> after = settle(before, 1);
    Thread.sleep(300);
    after = counters.read();
    assertEquals(1, delta(before, after, "requests"), name + ": " + path + " counted once " + after);
    assertEquals(1, delta(before, after, "responses_2xx"), name + ": " + after);
    assertEquals(0, delta(before, after, "errors"), name + ": " + after);
  }

  /**
   * An async request nobody completes: the container times it out and answers 500 (its ERROR
   * dispatch). One request, an error, nothing left in {@code calling} or {@code writing}.
   */
  void asyncTimeout() throws Exception {
    asyncTimeout(500);
  }

  /** The same with the status the application's framework answers a timeout with (Spring MVC: 503). */
  void asyncTimeout(int expectedStatus) throws Exception {
    Map<String, Long> before = counters.read();
    assertEquals(expectedStatus, status("/async-timeout"), name + ": /async-timeout");
    Map<String, Long> after = counters.await(m -> delta(before, m, "requests") >= 1
        && m.getOrDefault("calling", 0L) == 0 && m.getOrDefault("writing", 0L) == 0, 10_000);
    Thread.sleep(300);
    after = counters.read();
    assertEquals(1, delta(before, after, "requests"), name + ": async timeout counted once " + after);
    assertEquals(1, delta(before, after, "responses_5xx"), name + ": " + after);
    assertEquals(1, delta(before, after, "errors"), name + ": an async timeout is an error " + after);
    assertNothingInFlight(after);
  }

  /**
   * {@code Expect: 100-continue}: the interim {@code 100} is not the request's response. One request,
   * one 2xx (the final status), no 1xx, one duration sample, nothing left in the gauges.
   */
  void expectContinue() throws Exception {
    Map<String, Long> before = counters.read();
    connections++;
    String answer = RawHttp.postExpectingContinue(transport, port, "/echo", "hello");
    assertTrue(answer.contains("HTTP/1.1 200") && answer.contains("hello"), name + ": " + answer);
    Map<String, Long> after = settle(before, 1);
    assertEquals(1, delta(before, after, "requests"), name + ": 100-continue counted once " + after);
    assertEquals(1, delta(before, after, "responses_2xx"), name + ": the final status counts " + after);
    assertEquals(0, delta(before, after, "responses_1xx"), name + ": the interim 100 is not a response " + after);
    assertEquals(1, delta(before, after, "request_duration.count"), name + ": " + after);
    assertNothingInFlight(after);
  }

  /**
   * A WebSocket ({@code /ws}, an echo): the upgrade is one request, a 1xx ({@code 101}), over once the
   * {@code 101} is out: while the socket is open nothing is {@code calling} or {@code writing}, and
   * its messages and its close count nothing more. Then {@link #webSocketAbortedByClient}.
   */
  void webSocket() throws Exception {
    Map<String, Long> before = counters.read();
    java.net.http.WebSocket ws = openEchoedWebSocket();
    try {
      Map<String, Long> open = settle(before, 1);
      assertEquals(1, delta(before, open, "requests"), name + ": the upgrade is one request " + open);
      assertEquals(1, delta(before, open, "responses_1xx"), name + ": a 101 " + open);
      assertEquals(0, delta(before, open, "errors"), name + ": " + open);
      assertEquals(0, open.get("calling"), name + ": calling while the socket is open " + open);
      assertEquals(0, open.get("writing"), name + ": writing while the socket is open " + open);
    } finally {
      ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    Thread.sleep(300);
    Map<String, Long> after = counters.read();
    assertEquals(1, delta(before, after, "requests"), name + ": the close counts nothing " + after);
    assertEquals(0, delta(before, after, "errors"), name + ": " + after);
    assertNothingInFlight(after);
    webSocketAbortedByClient();
  }

  /**
   * A WebSocket whose client goes away without a close frame (a browser tab killed: the JDK client's
   * {@code abort()} closes the connection): the upgrade was one request, a {@code 101}, over before
   * the socket was open, so the end of the connection is no error and leaves nothing in flight.
   */
  void webSocketAbortedByClient() throws Exception {
    Map<String, Long> before = counters.read();
    openEchoedWebSocket().abort();
    Thread.sleep(500); // the server sees the connection end
    Map<String, Long> after = settle(before, 1);
    assertEquals(1, delta(before, after, "requests"), name + ": the upgrade is one request " + after);
    assertEquals(1, delta(before, after, "responses_1xx"), name + ": a 101 " + after);
    assertEquals(0, delta(before, after, "errors"), name + ": the dropped socket is no error " + after);
    assertNothingInFlight(after);
  }

  /**
   * Opens a WebSocket to the app's {@code /ws} echo ({@code wss} over TLS: the JDK client with the
   * transport's TLS context), sends a text and checks that it comes back; returns the open socket.
   */
  private java.net.http.WebSocket openEchoedWebSocket() throws Exception {
    String scheme = transport.isTls() ? "wss" : "ws";
    connections++;
    java.util.concurrent.CompletableFuture<String> echoed = new java.util.concurrent.CompletableFuture<>();
    java.net.http.WebSocket ws = transport.httpClient().newWebSocketBuilder()
        .connectTimeout(java.time.Duration.ofSeconds(10))
        .buildAsync(java.net.URI.create(scheme + "://127.0.0.1:" + port + "/ws"), new java.net.http.WebSocket.Listener() {
          @Override
          public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
            echoed.complete(data.toString());
            return null;
          }
        }).get(10, java.util.concurrent.TimeUnit.SECONDS);
    try {
      ws.sendText("ping", true).get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals("ping", echoed.get(10, java.util.concurrent.TimeUnit.SECONDS), name + ": the echo");
      return ws;
    } catch (Exception | AssertionError e) {
      ws.abort();
      throw e;
    }
  }

  /** A handler exception is an error and leaks nothing. */
  void handlerException(int expectedStatus) throws Exception {
    Map<String, Long> before = counters.read();
    assertEquals(expectedStatus, status("/boom"), name + ": /boom");
    Map<String, Long> after = counters.await(m -> delta(before, m, "errors") >= 1
        && m.getOrDefault("calling", 0L) == 0 && m.getOrDefault("writing", 0L) == 0, 10_000);
    Thread.sleep(150);
    after = counters.read();
    assertEquals(1, delta(before, after, "errors"), name + ": errors " + after);
    assertEquals(1, delta(before, after, "requests"), name + ": requests " + after);
    assertNothingInFlight(after);
  }

  /**
   * A request the framework answers with an error status without any handler failure (an
   * exception the application or the framework resolves to a response, or an ordinary 5xx):
   * one request with that status, not an error, no leak.
   */
  void errorStatusWithoutFailure(String path, int expectedStatus) throws Exception {
    Map<String, Long> before = counters.read();
    assertEquals(expectedStatus, status(path), name + ": " + path);
    Map<String, Long> after = settle(before, 1);
    assertEquals(1, delta(before, after, "requests"), name + ": " + path + " requests " + after);
    assertEquals(1, delta(before, after, "responses_" + expectedStatus / 100 + "xx"), name + ": " + path + " " + after);
    assertEquals(0, delta(before, after, "errors"), name + ": " + path + " errors " + after);
    assertNothingInFlight(after);
  }

  /**
   * Spring WebFlux: a handler exception answered by Boot's error handler is one request, one
   * error and a 5xx (the status the client got), like a servlet handler exception.
   */
  void handlerExceptionAnswered500() throws Exception {
    Map<String, Long> before = counters.read();
    handlerException(500);
    Map<String, Long> after = counters.read();
    assertEquals(1, delta(before, after, "responses_5xx"), name + ": /boom is a 5xx " + after);
  }

  /**
   * A body that fails after the response was committed: the server closes the connection; one
   * request, one error (not two: the failure is seen by the framework and by the connection end),
   * with the committed status.
   */
  void failureAfterCommit(String path) throws Exception {
    Map<String, Long> before = counters.read();
    assertEquals(200, status(path), name + ": " + path);
    Map<String, Long> after = counters.await(m -> delta(before, m, "errors") >= 1
        && m.getOrDefault("calling", 0L) == 0 && m.getOrDefault("writing", 0L) == 0, 10_000);
    Thread.sleep(150);
    after = counters.read();
    assertEquals(1, delta(before, after, "requests"), name + ": " + path + " requests " + after);
    assertEquals(1, delta(before, after, "errors"), name + ": " + path + " errors " + after);
    assertEquals(1, delta(before, after, "responses_2xx"), name + ": " + path + " committed 200 " + after);
    assertNothingInFlight(after);
  }

  /**
   * HTTP/1.1 pipelining: three requests in one write on one connection, each counted once with
   * its own status class, nothing left in flight after the client closes.
   */
  void pipelinedRequests() throws Exception {
    Map<String, Long> before = counters.read();
    connections++;
    try (RawHttp p = RawHttp.pipeline(transport, port, "/ok", "/code?c=404", "/ok")) {
      assertEquals(List.of(200, 404, 200), p.readStatuses(3), name + ": pipelined answers");
    }
    Map<String, Long> after = settle(before, 3);
    assertEquals(3, delta(before, after, "requests"), name + ": pipelined requests " + after);
    assertEquals(2, delta(before, after, "responses_2xx"), name + ": " + after);
    assertEquals(1, delta(before, after, "responses_4xx"), name + ": " + after);
    assertEquals(0, delta(before, after, "errors"), name + ": errors " + after);
    assertEquals(3, delta(before, after, "request_duration.count"), name + ": " + after);
  }

  /**
   * A request held in the handler with a second one pipelined behind it on the same connection:
   * while the first is held both are in flight (the second decoded, or even answered already by
   * a server that does not keep the order); once released both are counted, nothing leaks.
   */
  void pipelinedBehindHeldRequest() throws Exception {
    Map<String, Long> before = counters.read();
    pipelineBehindRelease("/hold", "/ok", m -> m.getOrDefault("calling", 0L) >= 1, during -> {
      assertTrue(during.get("calling") >= 1, name + ": the held request is calling " + during);
      assertTrue(delta(before, during, "requests") <= 1, name + ": at most the second is complete " + during);
    }, List.of(200, 200));
    Map<String, Long> after = settle(before, 3);
    assertEquals(3, delta(before, after, "requests"), name + ": held + pipelined + release " + after);
    assertEquals(3, delta(before, after, "responses_2xx"), name + ": " + after);
    assertEquals(0, delta(before, after, "errors"), name + ": errors " + after);
    assertNothingInFlight(after);
  }

  /**
   * A streamed (chunked) response with a plain one pipelined behind it on the same keep-alive
   * connection, on a thread-per-request server: while the handler streams, the stream is {@code
   * writing} = 1 and {@code calling} = 1 and nothing is complete (the second request waits for the
   * connection); once released, both count once with their own status classes, then nothing is in
   * flight (the second request reuses whatever per-connection object the server keys by).
   */
  void pipelinedBehindStream() throws Exception {
    Map<String, Long> before = counters.read();
    pipelineBehindRelease("/stream", "/code?c=404",
        m -> m.getOrDefault("writing", 0L) == 1 && m.getOrDefault("calling", 0L) == 1, during -> {
          assertEquals(1, during.get("writing"), name + ": writing while the first streams " + during);
          assertEquals(1, during.get("calling"), name + ": calling while the first streams " + during);
          assertEquals(0, delta(before, during, "requests"), name + ": nothing complete yet " + during);
        }, List.of(200, 404));
    Map<String, Long> after = settle(before, 3);
    assertEquals(3, delta(before, after, "requests"), name + ": stream + pipelined + release " + after);
    assertEquals(2, delta(before, after, "responses_2xx"), name + ": " + after);
    assertEquals(1, delta(before, after, "responses_4xx"), name + ": " + after);
    assertEquals(0, delta(before, after, "errors"), name + ": errors " + after);
    assertEquals(3, delta(before, after, "request_duration.count"), name + ": " + after);
    assertNothingInFlight(after);
  }

  /**
   * Pipelines {@code second} behind {@code first}, which the app holds until {@code /release}: once
   * {@code running} holds and 300 ms more have passed (the second request is decoded, and counted if
   * it ran, by then), {@code whileHeld} checks that snapshot; then {@code /release}, and the two
   * answers must have {@code statuses}.
   */
  private void pipelineBehindRelease(String first, String second, Predicate<Map<String, Long>> running,
      Consumer<Map<String, Long>> whileHeld, List<Integer> statuses) throws Exception {
    connections++;
    try (RawHttp p = RawHttp.pipeline(transport, port, first, second)) {
      counters.await(running, 10_000);
      Thread.sleep(300);
      whileHeld.accept(counters.read());
      assertEquals(200, status("/release"), name + ": /release");
      assertEquals(statuses, p.readStatuses(2), name + ": pipelined answers");
    }
  }

  /**
   * A pipeline the client gives up on: {@code first} ({@code /hold}, held in the handler, or
   * {@code /stream}, streaming) with a {@code 404} and a {@code 302} pipelined behind it; once the
   * first is in the handler the client closes the connection ({@code reset}: with a TCP reset,
   * else an ordinary close) without reading, and {@code /release} lets the handler go on. Whether
   * the server still runs the requests it had read behind the first is its own business (most
   * close the connection after the failed write), so each of them counts at most once, in its own
   * status class; the first counts exactly once (2xx, or 5xx where the server turns the failed
   * write into a 500), as does {@code /release}; one duration sample per counted request, no
   * error for {@code /release}, and nothing left in flight, also a moment later.
   */
  void pipelineAbandoned(String first, boolean reset) throws Exception {
    String gauge = first.equals("/stream") ? "writing" : "calling";
    Map<String, Long> before = counters.read();
    connections++;
    try (RawHttp p = RawHttp.pipeline(transport, port, first, "/code?c=404", "/code?c=302")) {
      Map<String, Long> during = counters.await(m -> m.getOrDefault(gauge, 0L) == 1, 10_000);
      assertEquals(1, during.get(gauge), name + ": " + gauge + " while " + first + " runs " + during);
      assertEquals(0, delta(before, during, "requests"), name + ": nothing complete yet " + during);
      if (reset) {
        p.reset();
      }
    }
    Thread.sleep(100); // the close reaches the server before the handler writes again
    assertEquals(200, status("/release"), name + ": /release");
    settle(before, 2, 15_000);
    Thread.sleep(500); // a request the server still runs after the close, or one counted twice
    Map<String, Long> after = counters.read();
    long requests = delta(before, after, "requests");
    long notFound = delta(before, after, "responses_4xx");
    long redirect = delta(before, after, "responses_3xx");
    String what = name + ": pipeline " + first + (reset ? " reset " : " closed ") + before + " -> " + after;
    System.out.println(name + ": abandoned pipeline " + first + (reset ? " (reset)" : " (closed)") + ": requests +"
        + requests + ", 3xx +" + redirect + ", 4xx +" + notFound + ", 5xx +" + delta(before, after, "responses_5xx")
        + ", errors +" + delta(before, after, "errors"));
    assertTrue(notFound <= 1 && redirect <= 1, what);
    assertEquals(2, delta(before, after, "responses_2xx") + delta(before, after, "responses_5xx"),
        what + " (" + first + " and /release, once each)");
    assertEquals(0, delta(before, after, "responses_1xx"), what);
    assertEquals(2 + notFound + redirect, requests, what);
    assertEquals(requests, delta(before, after, "request_duration.count"), what);
    assertTrue(delta(before, after, "errors") <= requests - 1, what + " (/release is no error)");
    assertNothingInFlight(after);
  }

  /**
   * A client that resets the connection mid-response: an error, with the status already sent (not
   * the 500 a container answers a failure with before the commit), no leak.
   */
  void clientAbort() throws Exception {
    Map<String, Long> before = counters.read();
    try (RawHttp abort = open("/abort")) {
      abort.readAtLeast(20_000);
      Map<String, Long> during = counters.await(m -> m.getOrDefault("writing", 0L) == 1, 10_000);
      assertEquals(1, during.get("writing"), name + ": writing before the abort " + during);
      abort.reset();
    }
    Map<String, Long> after = counters.await(m -> delta(before, m, "requests") >= 1
        && m.getOrDefault("calling", 0L) == 0 && m.getOrDefault("writing", 0L) == 0, 15_000);
    Thread.sleep(150);
    after = counters.read();
    assertEquals(1, delta(before, after, "requests"), name + ": requests " + after);
    assertEquals(1, delta(before, after, "errors"), name + ": errors " + after);
    assertEquals(1, delta(before, after, "responses_2xx"), name + ": the 200 already sent " + after);
    assertNothingInFlight(after);
  }

  /**
   * A client that resets the connection while an application thread streams to it (Spring MVC's
   * {@code SseEmitter}, a browser closing its {@code EventSource} between events): the server
   * learns it from the reset or at its next write, which {@code /release} triggers. Either way the
   * request counts once, as an error, with nothing left in flight.
   */
  void streamAbortedByClient(String path) throws Exception {
    Map<String, Long> before = counters.read();
    try (RawHttp stream = open(path)) {
      // the whole first event, up to the blank line that ends it: the stream is then idle, its
      // sender waiting, as an EventSource connection is between events
      readFirstEvent(stream, true);
      counters.await(m -> m.getOrDefault("writing", 0L) == 1, 10_000);
      stream.reset();
    }
    Thread.sleep(100); // the reset reaches the server before its next write
    assertEquals(200, status("/release"), name + ": /release");
    Map<String, Long> after = settle(before, 2, 15_000);
    assertEquals(2, delta(before, after, "requests"), name + ": the stream and /release " + after);
    assertEquals(1, delta(before, after, "errors"), name + ": the aborted stream is an error " + after);
    assertNothingInFlight(after);
  }

  /**
   * {@code rounds} clients that reset the connection the moment they see the first event, while
   * the server may still be writing its end (Tomcat then reports the error to the async listeners
   * on its own thread and refuses Spring's application thread the {@code AsyncContext}): whether
   * such a stream counts as an error depends on where the reset lands, but each one counts once
   * and none is left in flight (on Tomcat one in three or four stayed {@code writing} for good).
   * Jetty keeps some of them open until their async timeout (the app's is 5 s): they end then.
   */
  void streamsResetMidEvent(String path, int rounds) throws Exception {
    Map<String, Long> before = counters.read();
    for (int r = 0; r < rounds; r++) {
      try (RawHttp stream = open(path)) {
        readFirstEvent(stream, false);
        stream.reset();
      }
      Thread.sleep(100);
      assertEquals(200, status("/release"), name + ": /release");
    }
    Map<String, Long> after = settle(before, 2L * rounds, 15_000);
    assertEquals(2L * rounds, delta(before, after, "requests"), name + ": the streams and the releases " + after);
    assertTrue(delta(before, after, "errors") <= rounds, name + ": errors " + after);
    assertNothingInFlight(after);
  }

  /** Every connection the test opened was accepted (and counted) by the JDK accept hook. */
  /**
   * JDK 22+: one {@code accept_wait} sample per accepted connection (TCP_INFO of the new socket);
   * before 22 none at all.
   */
  void acceptWaitPerConnection(Jdk jdk) throws Exception {
    Map<String, Long> m = counters.read();
    if (jdk == Jdk.JDK25) {
      assertTrue(m.getOrDefault("accept_wait.count", 0L) >= connections,
          name + ": accept_wait samples " + m.get("accept_wait.count") + " < connections " + connections);
    } else {
      assertEquals(0L, m.getOrDefault("accept_wait.count", 0L), name + ": no TCP_INFO before JDK 22 " + m);
    }
  }

  /**
   * The agent's watcher found the server's listener on its own: its {@code queued} gauge labelled
   * {@code 127.0.0.1:<port>} is in the file (polled every 100 ms, at most 10 s).
   */
  void listenerDiscovered() throws Exception {
    String listener = "127.0.0.1:" + port;
    assertTrue(counters.awaitLabelled("queued", listener, 10_000),
        name + ": the watcher discovered the listener " + listener);
  }

  void acceptedConnections() throws Exception {
    Map<String, Long> m = counters.read();
    assertTrue(m.getOrDefault("accepted", 0L) >= connections,
        name + ": accepted " + m.get("accepted") + " < connections " + connections);
    assertEquals(0, m.get("calling"), name + ": " + m);
    assertEquals(0, m.get("writing"), name + ": " + m);
  }
}
