package dev.rainbarrel.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rainbarrel.cli.StatReport;
import dev.rainbarrel.shm.Barrel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's optional HTTP endpoints ({@code http=[host:]port}) on the JDK's
 * {@code com.sun.net.httpserver}:
 *
 * <table>
 *   <caption>paths</caption>
 *   <tr><td>{@code GET /_raindrops}</td><td>raindrops Middleware text ({@link RaindropsText})</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>Prometheus 0.0.4 text, OpenMetrics 1.0 on {@code Accept} ({@link PrometheusText})</td></tr>
 *   <tr><td>{@code GET /stats.json}</td><td>the {@code stat --json} object ({@link StatReport})</td></tr>
 *   <tr><td>{@code GET /}, {@code /active|queued/<addr>.txt|.html}, {@code POST /reset/<addr>}</td><td>raindrops Watcher pages ({@link WatcherPages})</td></tr>
 *   <tr><td>{@code GET /tail/<addr>.txt?active_min=&queued_min=}</td><td>one line per sample, streamed ({@link TailStream})</td></tr>
 * </table>
 *
 * <p>{@code HEAD} works wherever {@code GET} does; other methods get 405, unknown paths 404, and no
 * response ever carries a stack trace.
 *
 * <p>Threads: the dispatcher (renamed {@code rainbarrel-http-dispatcher}) and a bounded pool of
 * {@code rainbarrel-http-N} handler threads, all daemon, plus {@code rainbarrel-http-watchdog}. A
 * {@link Watchdog} bounds every blocking socket read or write, so slow or silent clients cannot pin
 * threads; tails are capped at {@link Limits#maxTails()} concurrent streams. Instrumentation must
 * not count this server's requests as the application's: {@link #isEndpointThread(Thread)} and
 * {@link #isEndpointServer(Object)} identify them.
 */
public final class EndpointServer implements AutoCloseable {

  /** Prefix of every thread this server starts. */
  public static final String THREAD_PREFIX = "rainbarrel-http";

  /**
   * Resource limits.
   *
   * @param threads handler threads (at least 2)
   * @param queue requests waiting for a thread before new connections are dropped
   * @param maxTails concurrent {@code /tail} streams (more get 503 with {@code Retry-After}); less than {@code threads}
   * @param requestTimeout longest time to receive a request's line and headers
   * @param responseTimeout longest time to write a complete (non-tail) response
   * @param tailWriteStall longest a tail line may stay unwritten because the client does not read
   * @param tailIdle a tail that wrote nothing (every sample below the thresholds) for this long ends
   * @param maxUriLength longest request target accepted (longer: 414)
   * @param maxHeaderBytes most bytes of request header names and values (more: 431); the JDK itself
   *     also refuses more than 200 headers or 380 KiB
   */
  public record Limits(int threads, int queue, int maxTails, Duration requestTimeout, Duration responseTimeout,
      Duration tailWriteStall, Duration tailIdle, int maxUriLength, int maxHeaderBytes) {
    /** The defaults: 8 threads, 64 queued, 4 tails, 10 s request, 30 s response, 10 s stall, 5 min idle, 2 KiB URI, 16 KiB headers. */
    public static final Limits DEFAULT = new Limits(8, 64, 4, Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(10), Duration.ofMinutes(5), 2048, 16 * 1024);

    /** Checks the values, naming the first bad one. */
    public Limits {
      if (threads < 2 || queue < 1 || maxTails < 1 || maxTails >= threads) {
        throw new IllegalArgumentException("bad endpoint limits: threads=" + threads + " queue=" + queue
            + " maxTails=" + maxTails + " (need threads >= 2, queue >= 1, 1 <= maxTails < threads)");
      }
      for (Duration d : List.of(requestTimeout, responseTimeout, tailWriteStall, tailIdle)) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("bad endpoint limits: durations must be positive, got " + d);
        }
      }
      if (maxUriLength < 16 || maxHeaderBytes < 256) {
        throw new IllegalArgumentException("bad endpoint limits: maxUriLength=" + maxUriLength
            + " maxHeaderBytes=" + maxHeaderBytes + " (need >= 16 and >= 256)");
      }
    }
  }

  private static final Set<Object> SERVERS = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private static final Pattern STAT_PAGE = Pattern.compile("\\A/(active|queued)/(.+)\\.(txt|html)\\z", Pattern.DOTALL);
  private static final Pattern TAIL_PAGE = Pattern.compile("\\A/tail/(.+)\\.txt\\z", Pattern.DOTALL);
  private static final Pattern RESET_PAGE = Pattern.compile("\\A/reset/(.+)\\z", Pattern.DOTALL);
  private static final String GET_HEAD = "GET, HEAD";

  private final HttpServer server;
  private final ThreadPoolExecutor pool;
  private final Watchdog watchdog;
  private final Barrel barrel;
  private final EndpointSources sources;
  private final WatcherPages pages;
  private final Limits limits;
  private final Semaphore tails;
  private final InetSocketAddress bound;
  private volatile boolean closed;

  private EndpointServer(InetSocketAddress address, Barrel barrel, EndpointSources sources, Limits limits)
      throws IOException {
    this.barrel = barrel;
    this.sources = sources == null ? EndpointSources.none() : sources;
    this.limits = limits;
    this.pages = new WatcherPages(this.sources, hostname());
    this.tails = new Semaphore(limits.maxTails());
    this.watchdog = new Watchdog(THREAD_PREFIX + "-watchdog");
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(() -> {
        try {
          r.run();
        } finally {
          watchdog.release();
        }
      }, THREAD_PREFIX + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.pool = new ThreadPoolExecutor(limits.threads(), limits.threads(), 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(limits.queue()), tf, new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    long requestNanos = limits.requestTimeout().toNanos();
    // The JDK server reads the request on the executor's thread: arm the watchdog for that read.
    Executor guarded = task -> pool.execute(() -> {
      Watchdog.Entry e = watchdog.current();
      e.arm(requestNanos);
      try {
        task.run();
      } finally {
        e.disarm();
      }
    });
    try {
      this.server = HttpServer.create(address, 64);
    } catch (IOException e) {
      watchdog.close();
      pool.shutdownNow();
      throw new IOException("cannot bind the HTTP endpoint to " + address + ": " + e.getMessage(), e);
    }
    SERVERS.add(server);
    server.setExecutor(guarded);
    server.createContext("/", this::handle);
    this.bound = server.getAddress();
  }

  /** Starts a server with the {@linkplain Limits#DEFAULT default limits}; see {@link #start(InetSocketAddress, Barrel, EndpointSources, Limits)}. */
  public static EndpointServer start(InetSocketAddress address, Barrel barrel, EndpointSources sources)
      throws IOException {
    return start(address, barrel, sources, Limits.DEFAULT);
  }

  /**
   * Binds and starts the endpoints.
   *
   * @param address where to listen (port 0: any free port; see {@link #address()})
   * @param barrel the figures to serve (read on every request)
   * @param sources the watcher's aggregates for the Watcher pages; null when there is no watcher
   *     (the pages then list no listeners)
   * @throws IOException naming the address when it cannot be bound
   */
  public static EndpointServer start(InetSocketAddress address, Barrel barrel, EndpointSources sources,
      Limits limits) throws IOException {
    if (barrel == null || address == null || limits == null) {
      throw new IllegalArgumentException("EndpointServer.start needs an address, a Barrel and limits");
    }
    EndpointServer s = new EndpointServer(address, barrel, sources, limits);
    s.startDaemon();
    return s;
  }

  /**
   * Parses the {@code http=} / {@code jolokia=} option value {@code [host:]port}: a port alone binds
   * 127.0.0.1; the host may be an IPv4 literal, a bracketed IPv6 literal or a name.
   *
   * @throws IllegalArgumentException quoting the value when it is not {@code [host:]port} with a port 0..65535
   */
  public static InetSocketAddress parseAddress(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("empty address: expected [host:]port");
    }
    String v = value.trim();
    String host = "127.0.0.1";
    String port = v;
    int colon = v.lastIndexOf(':');
    if (colon >= 0) {
      host = v.substring(0, colon);
      port = v.substring(colon + 1);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      } else if (host.contains(":")) {
        throw new IllegalArgumentException("bad address '" + value + "': write IPv6 hosts in brackets, e.g. [::1]:9090");
      }
      if (host.isEmpty()) {
        throw new IllegalArgumentException("bad address '" + value + "': empty host before ':'");
      }
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad address '" + value + "': port '" + port + "' is not a number");
    }
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("bad address '" + value + "': port " + p + " is not in 0..65535");
    }
    return new InetSocketAddress(host, p);
  }

  // HttpServer.start() creates its dispatcher thread, which inherits daemon status from the
  // creating thread; start it from a daemon thread so the endpoints never keep the JVM alive.
  private void startDaemon() throws IOException {
    Thread[] dispatcher = new Thread[1];
    RuntimeException[] failure = new RuntimeException[1];
    ThreadGroup group = new ThreadGroup(THREAD_PREFIX);
    Thread starter = new Thread(group, () -> {
      try {
        server.start();
        Thread[] all = new Thread[16];
        int k = group.enumerate(all);
        for (int i = 0; i < k; i++) {
          if (all[i] != Thread.currentThread() && !all[i].getName().startsWith(THREAD_PREFIX)) {
            dispatcher[0] = all[i];
          }
        }
      } catch (RuntimeException e) {
        failure[0] = e;
      }
    }, THREAD_PREFIX + "-start");
    starter.setDaemon(true);
    starter.start();
    try {
      starter.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure[0] != null || starter.isAlive()) {
      close();
      throw new IOException("cannot start the HTTP endpoint on " + bound
          + (failure[0] != null ? ": " + failure[0].getMessage() : ": start timed out"));
    }
    if (dispatcher[0] != null) {
      dispatcher[0].setName(THREAD_PREFIX + "-dispatcher");
    }
  }

  /** The bound address (the real port when started with port 0). */
  public InetSocketAddress address() {
    return bound;
  }

  /** Stops accepting, ends tails, closes connections and stops the threads. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0); // closes the listener and every connection: blocked reads and writes fail
    // shutdown(), never shutdownNow(): an interrupt could land while a thread reads the Barrel and
    // close its (interruptible) file channel; tails see `closed` within 250 ms, and threads are daemons
    pool.shutdown();
    watchdog.close();
    SERVERS.remove(server);
  }

  /** True for threads started by an endpoint server (their names start with {@value #THREAD_PREFIX}). */
  public static boolean isEndpointThread(Thread t) {
    return t != null && t.getName().startsWith(THREAD_PREFIX);
  }

  /** True when {@code httpServer} is the JDK {@code HttpServer} of a running endpoint server. */
  public static boolean isEndpointServer(Object httpServer) {
    return httpServer != null && SERVERS.contains(httpServer);
  }

  // ------------------------------------------------------------------------------------------

  private void handle(HttpExchange ex) {
    Watchdog.Entry guard = watchdog.current();
    guard.disarm(); // request received; never interrupt while the Barrel is read
    try {
      route(ex, guard);
    } catch (Throwable t) {
      guard.disarm();
      if (ex.getResponseCode() == -1) {
        try {
          send(ex, guard, Response.text(500, "Internal Server Error\n"), isHead(ex));
        } catch (Throwable ignored) {
          // the client is gone
        }
      }
    } finally {
      guard.arm(limits.responseTimeout().toNanos());
      try {
        ex.close();
      } catch (Throwable ignored) {
        // the client is gone
      }
      guard.disarm();
    }
  }

  private static boolean isHead(HttpExchange ex) {
    return "HEAD".equals(ex.getRequestMethod());
  }

  private void route(HttpExchange ex, Watchdog.Entry guard) throws IOException, InterruptedException {
    URI uri = ex.getRequestURI();
    String rawTarget = uri.getRawPath();
    String method = ex.getRequestMethod();
    boolean head = "HEAD".equals(method);
    boolean getLike = "GET".equals(method) || head;
    if (uri.toString().length() > limits.maxUriLength()) {
      send(ex, guard, Response.text(414, "URI Too Long\n"), head);
      return;
    }
    if (headerBytes(ex.getRequestHeaders()) > limits.maxHeaderBytes()) {
      send(ex, guard, Response.text(431, "Request Header Fields Too Large\n"), head);
      return;
    }
    if (rawTarget == null || !rawTarget.startsWith("/")) {
      send(ex, guard, Response.notFound(), head);
      return;
    }
    String path = rawTarget;
    switch (path) {
      case "/_raindrops" -> {
        if (allowed(ex, guard, getLike, GET_HEAD)) {
          send(ex, guard, Response.text(200, RaindropsText.render(barrel.entries())), head);
        }
        return;
      }
      case "/metrics" -> {
        if (allowed(ex, guard, getLike, GET_HEAD)) {
          boolean om = PrometheusText.wantsOpenMetrics(ex.getRequestHeaders().getFirst("Accept"));
          String body = PrometheusText.render(barrel.entries(), barrel.histogramSnapshots(),
              barrel.slotsUsed(), barrel.slotCapacity(), om);
          send(ex, guard, new Response(200, om ? PrometheusText.OPENMETRICS_CONTENT_TYPE
              : PrometheusText.TEXT_CONTENT_TYPE, body), head);
        }
        return;
      }
      case "/stats.json" -> {
        if (allowed(ex, guard, getLike, GET_HEAD)) {
          send(ex, guard, new Response(200, "application/json", StatReport.of(barrel).toJson() + "\n"), head);
        }
        return;
      }
      case "/" -> {
        if (allowed(ex, guard, getLike, GET_HEAD)) {
          send(ex, guard, pages.index(), head);
        }
        return;
      }
      default -> {
        // fall through to the patterns
      }
    }
    Matcher m = STAT_PAGE.matcher(path);
    if (m.matches()) {
      String addr = address(m.group(2));
      if (addr == null) {
        send(ex, guard, Response.notFound(), head);
      } else if (allowed(ex, guard, getLike, GET_HEAD)) {
        send(ex, guard, pages.histogram("active".equals(m.group(1)), addr, "html".equals(m.group(3))), head);
      }
      return;
    }
    m = TAIL_PAGE.matcher(path);
    if (m.matches()) {
      String addr = address(m.group(1));
      if (addr == null || sources.active(addr) == null) {
        send(ex, guard, Response.notFound(), head);
      } else if (allowed(ex, guard, getLike, GET_HEAD)) {
        tail(ex, guard, addr, uri.getRawQuery(), head);
      }
      return;
    }
    m = RESET_PAGE.matcher(path);
    if (m.matches()) {
      String addr = address(m.group(1));
      if (addr == null) {
        send(ex, guard, Response.notFound(), head);
      } else if (allowed(ex, guard, "POST".equals(method), "POST")) {
        send(ex, guard, pages.reset(addr, ex.getRequestHeaders().getFirst("Referer")), false);
      }
      return;
    }
    send(ex, guard, Response.notFound(), head);
  }

  /** Decoded address from a path segment, or null when the escape is malformed. */
  private static String address(String raw) {
    try {
      return TextFormats.formUnescape(raw);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private boolean allowed(HttpExchange ex, Watchdog.Entry guard, boolean ok, String allow) throws IOException {
    if (!ok) {
      send(ex, guard, Response.text(405, "Method Not Allowed\n").header("Allow", allow), isHead(ex));
    }
    return ok;
  }

  private static long headerBytes(Headers h) {
    long n = 0;
    for (Map.Entry<String, List<String>> e : h.entrySet()) {
      for (String v : e.getValue()) {
        n += e.getKey().length() + (v == null ? 0 : v.length()) + 4;
      }
    }
    return n;
  }

  private void send(HttpExchange ex, Watchdog.Entry guard, Response r, boolean head) throws IOException {
    Headers h = ex.getResponseHeaders();
    r.headers.forEach(h::set);
    guard.arm(limits.responseTimeout().toNanos());
    try {
      if (head) {
        h.set("Content-Length", Integer.toString(r.body.length));
        ex.sendResponseHeaders(r.status, -1);
      } else {
        ex.sendResponseHeaders(r.status, r.body.length == 0 ? -1 : r.body.length);
        if (r.body.length > 0) {
          try (OutputStream os = ex.getResponseBody()) {
            os.write(r.body);
          }
        }
      }
    } finally {
      guard.disarm();
    }
  }

  private void tail(HttpExchange ex, Watchdog.Entry guard, String addr, String rawQuery, boolean head)
      throws IOException, InterruptedException {
    Map<String, String> q = query(rawQuery);
    TailStream stream = new TailStream(addr, TextFormats.rubyToI(q.get("active_min")),
        TextFormats.rubyToI(q.get("queued_min")));
    Headers h = ex.getResponseHeaders();
    h.set("Content-Type", "text/plain");
    h.set("Cache-Control", "no-transform");
    h.set("Expires", TextFormats.httpDate(0));
    if (head) {
      guard.arm(limits.responseTimeout().toNanos());
      ex.sendResponseHeaders(200, -1);
      guard.disarm();
      return;
    }
    if (!tails.tryAcquire()) {
      send(ex, guard, Response.text(503, "Too many tail clients; try again later\n").header("Retry-After", "5"), false);
      return;
    }
    try (AutoCloseable sub = sources.subscribe(stream)) {
      guard.arm(limits.tailWriteStall().toNanos());
      // length 0: chunked on HTTP/1.1, close-delimited on HTTP/1.0 (the JDK server decides)
      ex.sendResponseHeaders(200, 0);
      OutputStream os = ex.getResponseBody();
      os.flush(); // the JDK buffers the head until the first write; a quiet tail must still answer
      guard.disarm();
      long idleLimit = limits.tailIdle().toNanos();
      long lastWrite = System.nanoTime();
      while (!closed && System.nanoTime() - lastWrite < idleLimit) {
        byte[] line = stream.next(250);
        if (line == null) {
          continue;
        }
        guard.arm(limits.tailWriteStall().toNanos());
        os.write(line);
        os.flush();
        guard.disarm();
        lastWrite = System.nanoTime();
      }
    } catch (IOException | InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("tail subscription failed: " + e.getMessage(), e);
    } finally {
      tails.release();
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new java.util.HashMap<>();
    if (raw == null) {
      return m;
    }
    for (String kv : raw.split("[&;]")) {
      int eq = kv.indexOf('=');
      String k = eq < 0 ? kv : kv.substring(0, eq);
      String v = eq < 0 ? "" : kv.substring(eq + 1);
      try {
        m.putIfAbsent(TextFormats.formUnescape(k), TextFormats.formUnescape(v));
      } catch (IllegalArgumentException ignored) {
        // a malformed parameter is ignored, as Rack does
      }
    }
    return m;
  }

  private static String hostname() {
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux
    }
    String env = System.getenv("HOSTNAME");
    return env == null || env.isEmpty() ? "localhost" : env;
  }
}
