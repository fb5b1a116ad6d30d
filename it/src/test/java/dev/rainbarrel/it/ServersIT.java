package dev.rainbarrel.it;

import dev.rainbarrel.it.apps.JdkHttpApp;
import dev.rainbarrel.it.apps.Jetty12App;
import dev.rainbarrel.it.apps.Jetty12CoreApp;
import dev.rainbarrel.it.apps.NettyApp;
import dev.rainbarrel.it.apps.SpringBootApp;
import dev.rainbarrel.it.apps.TomcatApp;
import dev.rainbarrel.it.apps.UndertowApp;
import dev.rainbarrel.it.apps.WebFluxApp;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Unmodified servers in child JVMs with {@code -javaagent}, on JDK 17 and JDK 25: totals, status
 * classes, {@code calling}, {@code writing}, async, errors, client aborts and accepts.
 */
class ServersIT {

  @TempDir Path tmp;

  private ServerScenarios start(ChildServer s, String name, Path file) {
    return new ServerScenarios(name, s.port(), new Counters(file));
  }

  /** A scenario step that may throw. */
  @FunctionalInterface
  interface Steps {
    void run() throws Exception;
  }

  /** Runs {@code steps}; a failure carries the child's stderr (the agent's own lines among it). */
  static void withChildStderr(ChildServer s, Steps steps) throws Exception {
    try {
      steps.run();
    } catch (AssertionError | Exception e) {
      e.addSuppressed(new AssertionError("child stderr: " + String.join(" | ", s.stderr())));
      throw e;
    }
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jdkHttpServer(Jdk jdk) throws Exception {
    Path file = tmp.resolve("jdkhttp.barrel");
    // -1: the JDK server closes the connection without a response on a handler exception
    plainHandler(ChildServer.start(jdk, JdkHttpApp.class, "file=" + file, List.of()), "JDK HttpServer on " + jdk, file, -1);
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12(Jdk jdk) throws Exception {
    Path file = tmp.resolve("servlet.barrel");
    ChildServer s = ChildServer.start(jdk, Jetty12App.class, "file=" + file, List.of(WEB_SOCKET));
    webSocket(s, "Jetty 12 (ee10) on " + jdk, file);
    servlet(s, "Jetty 12 (ee10) on " + jdk);
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat10(Jdk jdk) throws Exception {
    tomcatWithWebSocket(jdk, ChildServer.childClassPath(), "Tomcat 10.1 on " + jdk);
  }

  // Virtual threads (JDK 21+, so JDK 25 only): a thread per request, so the bridge's per-thread
  // state is per request; the same scenarios must count exactly as on platform threads.

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jdkHttpServerOnVirtualThreads() throws Exception {
    Path file = tmp.resolve("jdkhttp-vt.barrel");
    plainHandler(onVirtualThreads(JdkHttpApp.class, file), "JDK HttpServer on virtual threads", file, -1);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12OnVirtualThreads() throws Exception {
    servlet(onVirtualThreads(Jetty12App.class, tmp.resolve("servlet.barrel")), "Jetty 12 (ee10) on virtual threads");
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat10OnVirtualThreads() throws Exception {
    servlet(onVirtualThreads(TomcatApp.class, tmp.resolve("servlet.barrel")), "Tomcat 10.1 on virtual threads");
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void undertowOnVirtualThreads() throws Exception {
    Path file = tmp.resolve("undertow-vt.barrel");
    plainHandler(onVirtualThreads(UndertowApp.class, file), "Undertow 2.3 on virtual threads", file, 500);
  }

  /** Spring Boot's own switch: {@code spring.threads.virtual.enabled} (Tomcat's request executor). */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3TomcatOnVirtualThreads() throws Exception {
    Path file = tmp.resolve("servlet.barrel");
    ChildServer s = ChildServer.start(Jdk.JDK25, SpringBootApp.class, "file=" + file,
        List.of("-Dspring.threads.virtual.enabled=true"));
    assertServedOnVirtualThreads(s, file);
    servlet(s, "Spring Boot 3 (Tomcat) on virtual threads", file, false);
  }

  /** Starts {@code app} on JDK 25 with virtual threads and checks that it really uses them. */
  private static ChildServer onVirtualThreads(Class<?> app, Path file) throws Exception {
    ChildServer s = ChildServer.start(Jdk.JDK25, app, "file=" + file, List.of(VIRTUAL_THREADS));
    assertServedOnVirtualThreads(s, file);
    return s;
  }

  private static final String VIRTUAL_THREADS = "-Dit.virtualThreads=true";

  /**
   * The app's {@code /thread} route names the thread that ran the handler; the scenarios start once
   * that request is counted (they measure deltas).
   */
  private static void assertServedOnVirtualThreads(ChildServer s, Path file) throws Exception {
    assertAnswer(s, file, "/thread", "VirtualThread", "the handler did not run on a virtual thread");
  }

  /**
   * GETs {@code path} once and checks that the body contains {@code expected} and that the request
   * was counted; closes the server if not.
   */
  private static void assertAnswer(ChildServer s, Path file, String path, String expected, String otherwise)
      throws Exception {
    try {
      RawHttp.Answer answer = RawHttp.getAnswer(Transport.PLAIN, s.port(), path);
      if (!answer.body().contains(expected)) {
        throw new AssertionError(otherwise + ": " + answer);
      }
      // the recorder counts the request before its duration sample: wait for both, or the next
      // scenario's first snapshot may hold the request without its sample
      Map<String, Long> m = new Counters(file).await(x -> x.getOrDefault("requests", 0L) == 1
          && x.getOrDefault("request_duration.count", 0L) == 1, 10_000);
      if (m.getOrDefault("requests", 0L) != 1) {
        throw new AssertionError("the " + path + " request was not counted: " + m);
      }
    } catch (Exception | AssertionError e) {
      s.close();
      throw e;
    }
  }

  /**
   * Starts {@link SpringBootApp} on Boot's embedded {@code server} with its {@code /ws} ({@link
   * dev.rainbarrel.it.apps.SpringMvcWebSocket}) and checks that it runs there.
   */
  private static ChildServer springBootOn(Jdk jdk, String server, String webServerClass, String classPath, Path file)
      throws Exception {
    ChildServer s = ChildServer.start(jdk, SpringBootApp.class.getName(), classPath, "file=" + file,
        List.of("-Dit.server=" + server, WEB_SOCKET));
    assertAnswer(s, file, "/server", webServerClass, "Spring Boot did not start on " + server);
    return s;
  }

  /** The apps' switch for their {@code /ws} echo WebSocket. */
  private static final String WEB_SOCKET = "-Dit.webSocket=true";

  /** The tracking key of Tomcat 9, 10.1 and 11 (the servlet request, a new one per request). */
  static final String TOMCAT_KEY = "org.apache.catalina.connector.RequestFacade";

  /** The tracking key of Jetty 9.4, 10 and 11 (the channel's request, recycled with it). */
  static final String JETTY9_KEY = "org.eclipse.jetty.server.Request";

  /** The tracking key of Netty's HTTP/1.1 codec on the NIO transport: the connection's channel. */
  static final String NETTY_NIO_KEY = "io.netty.channel.socket.nio.NioSocketChannel";

  /** The same on the native epoll transport. */
  static final String NETTY_EPOLL_KEY = "io.netty.channel.epoll.EpollSocketChannel";

  /** The same on Netty 4.2's native io_uring transport. */
  static final String NETTY_IO_URING_KEY = "io.netty.channel.uring.IoUringSocketChannel";

  /** A scenario run on a row's server before its others. */
  @FunctionalInterface
  interface First {
    void run(ServerScenarios sc) throws Exception;
  }

  /** No scenario first. */
  static final First NOTHING_FIRST = sc -> { };

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void nettyNio(Jdk jdk) throws Exception {
    netty(jdk, "nio");
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void nettyEpoll(Jdk jdk) throws Exception {
    netty(jdk, "epoll");
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void undertow(Jdk jdk) throws Exception {
    Path file = tmp.resolve("undertow.barrel");
    ChildServer s = ChildServer.start(jdk, UndertowApp.class, "file=" + file, List.of());
    webSocket(s, "Undertow 2.3 on " + jdk, file);
    plainHandler(s, "Undertow 2.3 on " + jdk, file, 500);
  }

  /**
   * Spring Boot 3 (Spring MVC) on its default embedded Tomcat: the WebSocket ({@code /ws} by Spring's
   * {@code @EnableWebSocket} on Tomcat's JSR 356 container, as with {@code
   * spring-boot-starter-websocket}; the Undertow and Jetty rows have it too), then the servlet
   * scenarios.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3Tomcat(Jdk jdk) throws Exception {
    Path file = tmp.resolve("boot.barrel");
    String name = "Spring Boot 3 (Tomcat) on " + jdk;
    ChildServer s = springBootOn(jdk, "tomcat", "TomcatWebServer", ChildServer.childClassPath(), file);
    webSocket(s, name, file);
    servlet(s, name, file, false, sc -> sc.trackingKeySlotted(TOMCAT_KEY));
  }

  /**
   * {@code attach <pid>} into a running Spring Boot application on Tomcat, the most common way to
   * look at a server that was started without the agent: Tomcat's, Spring's and the servlet API's
   * classes were loaded (and the request paths run, async and error ones included) long before, so
   * every servlet hook arrives by retransformation. From then on the servlet scenarios count as
   * with {@code -javaagent}.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3TomcatAfterAttach(Jdk jdk) throws Exception {
    // the facade class was loaded before the agent: no slot field, its requests are found by hash
    springBootAfterAttach(jdk, "Tomcat", ChildServer.childClassPath(), List.of(),
        sc -> sc.answers("/slot", TOMCAT_KEY + " without slot"));
  }

  /** The same on Undertow: the Undertow and servlet hooks, the write-failure one among them, by retransformation. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3UndertowAfterAttach(Jdk jdk) throws Exception {
    springBootAfterAttach(jdk, "Undertow", ChildServer.childClassPath(), List.of("-Dit.server=undertow"), NOTHING_FIRST);
  }

  /**
   * The same on Jetty 12.0: its request class was loaded without the in-flight slot field, so its
   * requests are found by identity hash (placed by their connection), as after any attach to Jetty.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3JettyAfterAttach(Jdk jdk) throws Exception {
    springBootAfterAttach(jdk, "Jetty", bootJettyClassPath(), List.of("-Dit.server=jetty"), NOTHING_FIRST);
  }

  private void springBootAfterAttach(Jdk jdk, String server, String classPath, List<String> jvmArgs, First first)
      throws Exception {
    Path file = tmp.resolve("boot-attach.barrel");
    ChildServer s = ChildServer.start(jdk, SpringBootApp.class.getName(), classPath, null, jvmArgs);
    try {
      for (String path : List.of("/ok", "/ok", "/async", "/boom", "/code?c=404", "/async-timeout")) {
        RawHttp.status(s.port(), path); // the request paths run and JIT-warmed before the agent
      }
      AgentRobustnessIT.attach(jdk, s, file);
    } catch (Exception | AssertionError e) {
      s.close();
      throw e;
    }
    servlet(s, "Spring Boot 3 (" + server + ") after attach on " + jdk, file, false, first);
  }

  /**
   * Spring Boot 3 (Spring MVC) on Boot's embedded Undertow: Undertow's servlet container, where
   * the Undertow {@code HttpHandler} hooks and the servlet hooks both see every request and must
   * count it once. Its {@code /ws} upgrades through Undertow's JSR 356 container ({@code
   * undertow-websockets-jsr}, which spring-boot-starter-undertow brings and Boot sets up).
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3Undertow(Jdk jdk) throws Exception {
    Path file = tmp.resolve("boot-undertow.barrel");
    String name = "Spring Boot 3 (Undertow) on " + jdk;
    ChildServer s = springBootOn(jdk, "undertow", "UndertowServletWebServer", ChildServer.childClassPath(), file);
    webSocket(s, name, file);
    servlet(s, name, file, false);
  }

  /**
   * Spring Boot 3 (Spring MVC) on Boot's embedded Jetty (ee10 servlet container), in the Jetty 12.0
   * release Boot manages: the test class path with its Jetty 12.1 jars replaced by those of {@code
   * target/servers/boot-jetty}. Its {@code /ws} upgrades through Spring's {@code
   * JettyRequestUpgradeStrategy} on the ee10 Jetty WebSocket container Boot sets up.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3Jetty(Jdk jdk) throws Exception {
    Path file = tmp.resolve("boot-jetty.barrel");
    String name = "Spring Boot 3 (Jetty) on " + jdk;
    ChildServer s = springBootOn(jdk, "jetty", "JettyWebServer", bootJettyClassPath(), file);
    webSocket(s, name, file);
    servlet(s, name, file, false);
  }

  /** The test class path with Boot's Jetty 12.0 jars in place of its Jetty 12.1 ones. */
  static String bootJettyClassPath() throws IOException {
    Path jars = Path.of(System.getProperty("rainbarrel.it.servers", "target/servers")).resolve("boot-jetty");
    try (Stream<Path> boot = Files.list(jars)) {
      return Stream.concat(
              boot.map(j -> j.toAbsolutePath().toString()).sorted(),
              Arrays.stream(ChildServer.childClassPath().split(File.pathSeparator))
                  .filter(e -> !e.contains("/org/eclipse/jetty/")))
          .collect(Collectors.joining(File.pathSeparator));
    }
  }

  /**
   * Spring Boot 3 WebFlux on Reactor Netty: counted by the Netty codec hooks (Reactor Netty's
   * {@code HttpServerCodec}), with Netty's semantics: {@code calling} from the decoded request to
   * the commit, {@code writing} from there to the last content. A handler exception reaches
   * WebFlux's web-exception layer (the WebFlux hook marks it) and is answered by Boot's error
   * handler with a 500: an error and a 5xx, once. Exceptions resolved to their own status (an
   * unmapped path, a {@code ResponseStatusException}), one the application handles (a router
   * {@code onError}) and an ordinary 503 are not errors, as on the servlet rows.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFlux(Jdk jdk) throws Exception {
    Path file = tmp.resolve("webflux.barrel");
    try (ChildServer s = ChildServer.start(jdk, WebFluxApp.class, "file=" + file, List.of())) {
      ServerScenarios sc = start(s, "Spring Boot 3 WebFlux (Reactor Netty) on " + jdk, file);
      withChildStderr(s, () -> {
        sc.trackingKeySlotted(NETTY_NIO_KEY, NETTY_EPOLL_KEY); // Reactor Netty picks epoll when it can
        sc.webSocket();
        webFluxScenarios(sc);
        sc.acceptedConnections();
      });
    }
  }

  /** The scenarios of {@link #springBoot3WebFlux} but the WebSocket, also run over TLS. */
  static void webFluxScenarios(ServerScenarios sc) throws Exception {
    nettyCodecScenarios(sc);
    sc.handlerExceptionAnswered500();
    webFluxStatusesWithoutFailure(sc);
    sc.failureAfterCommit("/stream-fail");
    sc.clientAbort();
  }

  /**
   * The same WebFlux app on Boot's Tomcat ({@code TomcatReactiveWebServerFactory}): WebFlux runs as an
   * async servlet, counted by the servlet hooks, so {@code calling} covers the servlet's own frame
   * only (the held and pipelined-behind-held scenarios, which expect Netty's decode-to-commit {@code
   * calling}, are left out). Tomcat commits WebFlux's responses from threads outside any handler
   * frame; the commit hook finds their request through Tomcat's own objects. A failure after the
   * commit counts once and as an error, but with the status Tomcat ends the request with (500), not
   * the 200 already sent (docs/AGENT.md, Known limits), so that scenario is left out. A handler
   * exception is marked through the servlet request (the WebFlux hook finds its key), as on Reactor
   * Netty; a client abort is an error through the async listener's {@code onError}.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOnTomcat(Jdk jdk) throws Exception {
    webFluxOn(jdk, "tomcat", "Tomcat", ChildServer.childClassPath(), Set.of());
  }

  /**
   * The same WebFlux app on Boot's Undertow ({@code UndertowReactiveWebServerFactory}: Undertow's own
   * {@code HttpHandler}, no servlet), counted by the Undertow hooks. A handler exception is marked
   * through the exchange, Undertow's key. A client abort is an error: WebFlux writes to Undertow's
   * channel from the I/O thread, and Undertow ends the exchange from inside the write that fails
   * (it counted as a success before). Left out: 100-continue (Boot's Undertow adapter sends no 100
   * without the application's {@code HttpContinueReadHandler}).
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOnUndertow(Jdk jdk) throws Exception {
    webFluxOn(jdk, "undertow", "Undertow", ChildServer.childClassPath(), WEBFLUX_ON_UNDERTOW_SKIPS);
  }

  /** The scenarios {@link #springBoot3WebFluxOnUndertow} leaves out (its Javadoc says why). */
  static final Set<String> WEBFLUX_ON_UNDERTOW_SKIPS = Set.of("expectContinue");

  /**
   * The same WebFlux app on Boot's Jetty ({@code JettyReactiveWebServerFactory}: WebFlux as an async
   * servlet in Jetty 12's ee10 container, the Jetty 12.0 release Boot manages, as in {@link
   * #springBoot3Jetty}), counted by the Jetty and servlet hooks together. A client abort is an error
   * through Jetty's failed response write: WebFlux gets the failure in its write listener and
   * completes the request normally (it counted as a success before). The WebSocket upgrade is
   * Spring's {@code JettyRequestUpgradeStrategy} on the ee10 Jetty WebSocket container that Boot
   * sets up when spring-boot-starter-jetty's WebSocket jars are there.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOnJetty(Jdk jdk) throws Exception {
    webFluxOn(jdk, "jetty", "Jetty", bootJettyClassPath(), Set.of());
  }

  /**
   * The WebFlux app on Boot's {@code server} other than Reactor Netty, from {@code classPath}, with
   * the scenarios that apply there ({@link #webFluxOnScenarios}).
   */
  private void webFluxOn(Jdk jdk, String server, String label, String classPath, Set<String> skipped)
      throws Exception {
    Path file = tmp.resolve("webflux-" + server + ".barrel");
    webFluxOn(ChildServer.start(jdk, WebFluxApp.class.getName(), classPath, "file=" + file,
        List.of("-Dit.server=" + server)), "Spring Boot 3 WebFlux (" + label + ") on " + jdk, file, skipped);
  }

  /**
   * WebFlux on Boot's Tomcat with Boot's own switch, {@code spring.threads.virtual.enabled} (JDK 25):
   * Tomcat's request executor runs on virtual threads, and so does WebFlux's servlet, its handlers
   * and its writes from the container's threads. First checks that the handler ran on a virtual
   * thread, then the scenarios of {@link #springBoot3WebFluxOnTomcat}.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOnTomcatOnVirtualThreads() throws Exception {
    webFluxOnVirtualThreads("tomcat", "Tomcat", ChildServer.childClassPath());
  }

  /**
   * The same on Boot's Jetty 12.0 (JDK 25): Boot gives Jetty a {@code VirtualThreadPool}, which runs
   * every task of Jetty's on a virtual thread of its own. The scenarios of {@link
   * #springBoot3WebFluxOnJetty}.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOnJettyOnVirtualThreads() throws Exception {
    webFluxOnVirtualThreads("jetty", "Jetty", bootJettyClassPath());
  }

  /** The WebFlux app on Boot's {@code server} with {@code spring.threads.virtual.enabled=true}, on JDK 25. */
  private void webFluxOnVirtualThreads(String server, String label, String classPath) throws Exception {
    Path file = tmp.resolve("webflux-" + server + "-vt.barrel");
    ChildServer s = ChildServer.start(Jdk.JDK25, WebFluxApp.class.getName(), classPath, "file=" + file,
        List.of("-Dit.server=" + server, "-Dspring.threads.virtual.enabled=true"));
    assertServedOnVirtualThreads(s, file);
    webFluxOn(s, "Spring Boot 3 WebFlux (" + label + ") on virtual threads", file, Set.of());
  }

  /** {@link #webFluxOnScenarios} and the accept check on the started WebFlux app; closes it. */
  private void webFluxOn(ChildServer started, String name, Path file, Set<String> skipped) throws Exception {
    try (ChildServer s = started) {
      ServerScenarios sc = start(s, name, file);
      withChildStderr(s, () -> {
        webFluxOnScenarios(sc, skipped);
        sc.acceptedConnections();
      });
    }
  }

  /**
   * The scenarios of the WebFlux rows on a server other than Reactor Netty (also run over TLS): all
   * but those named in {@code skipped} ({@code expectContinue}, {@code webSocket}, {@code
   * clientAbort}; each row's Javadoc says why).
   */
  static void webFluxOnScenarios(ServerScenarios sc, Set<String> skipped) throws Exception {
    sc.plainRequests(false);
    if (!skipped.contains("expectContinue")) {
      sc.expectContinue();
    }
    if (!skipped.contains("webSocket")) {
      sc.webSocket();
    }
    sc.streamingResponse(0);
    sc.pipelinedRequests();
    sc.handlerExceptionAnswered500();
    webFluxStatusesWithoutFailure(sc);
    if (!skipped.contains("clientAbort")) {
      sc.clientAbort();
    }
  }

  /**
   * Statuses WebFlux answers without a handler failure: a plain 503, an exception the application
   * handles, a {@code ResponseStatusException}, an unmapped path. Each one request, no error.
   */
  private static void webFluxStatusesWithoutFailure(ServerScenarios sc) throws Exception {
    sc.errorStatusWithoutFailure("/code?c=503", 503);
    sc.errorStatusWithoutFailure("/handled", 500);
    sc.errorStatusWithoutFailure("/status-exception", 503);
    sc.errorStatusWithoutFailure("/no-such-route", 404);
  }

  /** The same Netty app compiled against Netty 4.2 (its own class path). */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty42(Jdk jdk) throws Exception {
    String cp = IsolatedServer.netty42ClassPath(tmp);
    for (String transport : List.of("nio", "epoll")) {
      Path file = tmp.resolve("netty42-" + transport + ".barrel");
      netty(jdk, ChildServer.start(jdk, NettyApp.class.getName(), cp, "file=" + file,
          List.of("-Dtransport=" + transport, "-Dio.netty.noUnsafe=true")), "Netty 4.2 " + transport + " on " + jdk, file,
          nettyKey(transport));
    }
  }

  /**
   * The same Netty app on Netty 4.2's native io_uring transport (4.2.18, its own class path):
   * accepts through io_uring's accept completion ({@code IoUringServerSocketChannel.newChildChannel}),
   * no JDK socket. The app's {@code /transport} must first name io_uring's listening and connection
   * channels; if io_uring is unavailable the app fails with Netty's cause (no fallback, no skip).
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void nettyIoUring(Jdk jdk) throws Exception {
    Path file = tmp.resolve("netty-io_uring.barrel");
    String name = "Netty 4.2 io_uring on " + jdk;
    ChildServer s = ChildServer.start(jdk, NettyApp.class.getName(), IsolatedServer.netty42IoUringClassPath(tmp),
        "file=" + file, List.of("-Dtransport=io_uring", "-Dio.netty.noUnsafe=true"));
    assertAnswer(s, file, "/transport",
        "io.netty.channel.uring.IoUringServerSocketChannel " + NETTY_IO_URING_KEY, name + " is not on io_uring");
    netty(jdk, s, name, file, NETTY_IO_URING_KEY);
  }

  private void netty(Jdk jdk, String transport) throws Exception {
    Path file = tmp.resolve("netty.barrel");
    netty(jdk, ChildServer.start(jdk, NettyApp.class, "file=" + file,
        List.of("-Dtransport=" + transport, "-Dio.netty.noUnsafe=true")), "Netty 4.1 " + transport + " on " + jdk, file,
        nettyKey(transport));
  }

  /** The tracking key of the Netty app's connections on {@code transport}. */
  static String nettyKey(String transport) {
    return transport.equals("epoll") ? NETTY_EPOLL_KEY : NETTY_NIO_KEY;
  }

  private void netty(Jdk jdk, ChildServer started, String name, Path file, String key) throws Exception {
    try (ChildServer s = started) {
      ServerScenarios sc = start(s, name, file);
      withChildStderr(s, () -> {
        sc.trackingKeySlotted(key);
        sc.webSocket(); // not in nettyScenarios: TlsIT runs those and the WebSocket (wss) on its own
        nettyScenarios(sc);
        sc.acceptedConnections();
        sc.acceptWaitPerConnection(jdk); // NIO: the SocketChannel; epoll, io_uring: the native descriptor
        sc.listenerDiscovered();
      });
    }
  }

  /**
   * What every server on Netty's HTTP/1.1 codec passes (the plain app and Reactor Netty): a request
   * holds {@code calling} from its decoding to its commit, pipelined requests queue behind it.
   */
  static void nettyCodecScenarios(ServerScenarios sc) throws Exception {
    sc.plainRequests(false);
    sc.expectContinue();
    sc.heldRequest();
    sc.streamingResponse(0);
    sc.pipelinedRequests();
    sc.pipelinedBehindHeldRequest();
  }

  /** The scenarios of the Netty rows (the app's codec pipeline), also run over TLS. */
  static void nettyScenarios(ServerScenarios sc) throws Exception {
    nettyCodecScenarios(sc);
    sc.handlerException(-1); // the handler closes the connection on exceptions
    sc.clientAbort();
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12CoreHandler(Jdk jdk) throws Exception {
    Path file = tmp.resolve("jetty-core.barrel");
    ChildServer s = ChildServer.start(jdk, Jetty12CoreApp.class, "file=" + file, List.of());
    webSocket(s, "Jetty 12 core Handler on " + jdk, file);
    plainHandler(s, "Jetty 12 core Handler on " + jdk, file, 500);
  }

  /**
   * javax.servlet on Jetty 9.4, in its own class path (it clashes with Jetty 12), with a JSR 356
   * {@code /ws} echo endpoint ({@code javax-websocket-server-impl}): the WebSocket, then the servlet
   * scenarios.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty94Javax(Jdk jdk) throws Exception {
    jetty94AppWithWebSocket(jdk, IsolatedServer.jetty94ClassPath(tmp), "Jetty 9.4 (javax) on " + jdk);
  }

  /**
   * {@code Jetty94App} from {@code classPath} (Jetty 9.4, 10 or 11, or Jetty 12's ee8 environment)
   * with its {@code /ws} echo WebSocket: the WebSocket, then the servlet scenarios.
   */
  private void jetty94AppWithWebSocket(Jdk jdk, String classPath, String name) throws Exception {
    jetty94AppWithWebSocket(jdk, classPath, name, sc -> sc.trackingKeySlotted(JETTY9_KEY));
  }

  /** The same with {@code first} instead of the check of Jetty 9.4-11's slotted key. */
  private void jetty94AppWithWebSocket(Jdk jdk, String classPath, String name, First first) throws Exception {
    Path file = tmp.resolve("servlet.barrel");
    ChildServer s = ChildServer.start(jdk, "Jetty94App", classPath, "file=" + file, List.of(WEB_SOCKET));
    webSocket(s, name, file);
    servlet(s, name, file, true, first);
  }

  /**
   * A plain Jetty 9.4 {@code Handler} (no servlet anywhere): counted by the {@code HttpChannel}
   * hooks alone.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty94Handler(Jdk jdk) throws Exception {
    plainHandler(ChildServer.start(jdk, "Jetty94HandlerApp", IsolatedServer.jetty94ClassPath(tmp), "file=" + tmp.resolve("handler.barrel"), List.of()),
        "Jetty 9.4 plain Handler on " + jdk, tmp.resolve("handler.barrel"));
  }

  /** The same plain handler in the jakarta namespace, on Jetty 11. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty11Handler(Jdk jdk) throws Exception {
    plainHandler(ChildServer.start(jdk, "Jetty94HandlerApp", IsolatedServer.jetty11ClassPath(tmp), "file=" + tmp.resolve("handler.barrel"), List.of()),
        "Jetty 11 plain Handler on " + jdk, tmp.resolve("handler.barrel"));
  }

  /** The Jetty 9.4 plain-handler app on Jetty 10 (javax, Jetty 10's own API; its own class path). */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty10Handler(Jdk jdk) throws Exception {
    plainHandler(ChildServer.start(jdk, "Jetty94HandlerApp", IsolatedServer.jetty10ClassPath(tmp),
        "file=" + tmp.resolve("handler.barrel"), List.of()), "Jetty 10 plain Handler on " + jdk,
        tmp.resolve("handler.barrel"));
  }

  private void plainHandler(ChildServer started, String name, Path file) throws Exception {
    plainHandler(started, name, file, 500);
  }

  /** The app's {@code /ws} echo WebSocket ({@link ServerScenarios#webSocket}); closes the server on failure. */
  private void webSocket(ChildServer s, String name, Path file) throws Exception {
    try {
      withChildStderr(s, () -> start(s, name, file).webSocket());
    } catch (Exception | AssertionError e) {
      s.close();
      throw e;
    }
  }

  /**
   * The thread-per-request scenarios without servlet features; {@code exceptionStatus} is what the
   * client gets when the handler throws (-1: the connection is closed without a response).
   */
  private void plainHandler(ChildServer started, String name, Path file, int exceptionStatus) throws Exception {
    try (ChildServer s = started) {
      ServerScenarios sc = start(s, name, file);
      withChildStderr(s, () -> {
        plainHandlerScenarios(sc, exceptionStatus);
        sc.acceptedConnections();
      });
    }
  }

  /**
   * HTTP/1.1 pipelining on a thread-per-request server, where the requests of one connection run
   * one after another and several servers key a request by an object the connection reuses for the
   * next one: three requests in one write, one pipelined behind a held request and behind a
   * streamed one, and pipelines the client closes or resets while their first request runs. Part
   * of {@link #plainHandlerScenarios} and {@link #servletScenarios}, so TlsIT runs it over TLS too
   * (the pipelined requests in one TLS write, a reset under the TLS session, a close after {@code
   * close_notify}).
   */
  static void threadPerRequestPipelining(ServerScenarios sc) throws Exception {
    sc.pipelinedRequests();
    sc.pipelinedBehindHeldRequest();
    sc.pipelinedBehindStream();
    sc.pipelineAbandoned("/hold", false);
    sc.pipelineAbandoned("/stream", true);
  }

  /** The scenarios of {@link #plainHandler(ChildServer, String, Path, int)}, also run over TLS. */
  static void plainHandlerScenarios(ServerScenarios sc, int exceptionStatus) throws Exception {
    sc.plainRequests(false);
    sc.expectContinue();
    sc.heldRequest();
    sc.streamingResponse();
    sc.handlerException(exceptionStatus);
    sc.clientAbort();
    threadPerRequestPipelining(sc);
  }

  /** The Tomcat app and servlet compiled against Tomcat 11 (its own class path). */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat11(Jdk jdk) throws Exception {
    tomcatWithWebSocket(jdk, IsolatedServer.tomcat11ClassPath(tmp), "Tomcat 11 on " + jdk);
  }

  /** The Tomcat app from {@code classPath} with its {@code /ws} endpoint: the WebSocket, then the servlet scenarios. */
  private void tomcatWithWebSocket(Jdk jdk, String classPath, String name) throws Exception {
    Path file = tmp.resolve("servlet.barrel");
    ChildServer s = ChildServer.start(jdk, TomcatApp.class.getName(), classPath, "file=" + file, List.of(WEB_SOCKET));
    webSocket(s, name, file);
    servlet(s, name, file, true, sc -> sc.trackingKeySlotted(TOMCAT_KEY));
  }

  /**
   * The Jetty 12 app, servlet and JSR 356 {@code /ws} endpoint in Jetty 12.1's ee11 environment
   * (Servlet 6.1; its own class path): {@code org.eclipse.jetty.ee11} is ee10's API in another
   * package. The WebSocket, then the servlet scenarios, as on ee10.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12Ee11(Jdk jdk) throws Exception {
    Path file = tmp.resolve("servlet.barrel");
    String name = "Jetty 12 (ee11) on " + jdk;
    ChildServer s = ChildServer.start(jdk, Jetty12App.class.getName(), IsolatedServer.jetty12Ee11ClassPath(tmp),
        "file=" + file, List.of(WEB_SOCKET));
    webSocket(s, name, file);
    servlet(s, name);
  }

  /**
   * The Jetty 9.4 app (javax) in Jetty 12's ee8 environment, the "nested" layer that keeps Jetty
   * 9-11's servlet internals on Jetty 12's core (its own class path), with an ee8 {@code /ws} echo
   * WebSocket (ee8's Jetty WebSocket API): the WebSocket, then the servlet scenarios.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12Ee8(Jdk jdk) throws Exception {
    // ee8's servlet request is not the key there (Jetty 12's ChannelRequest is): no /slot check
    jetty94AppWithWebSocket(jdk, IsolatedServer.jetty12Ee8ClassPath(tmp), "Jetty 12 (ee8) on " + jdk, NOTHING_FIRST);
  }

  /** The Tomcat app and servlet in the javax namespace, on Tomcat 9 (its own class path). */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat9(Jdk jdk) throws Exception {
    tomcatWithWebSocket(jdk, IsolatedServer.tomcat9ClassPath(tmp), "Tomcat 9 (javax) on " + jdk);
  }

  /**
   * The Jetty 9.4 app in the jakarta namespace, on Jetty 11 (its own class path), its {@code /ws}
   * endpoint on {@code websocket-jakarta-server}.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty11(Jdk jdk) throws Exception {
    jetty94AppWithWebSocket(jdk, IsolatedServer.jetty11ClassPath(tmp), "Jetty 11 (jakarta) on " + jdk);
  }

  /**
   * The Jetty 9.4 servlet app on Jetty 10 ({@code javax.servlet} 4; its own class path), its {@code
   * /ws} endpoint on {@code websocket-javax-server}.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty10(Jdk jdk) throws Exception {
    jetty94AppWithWebSocket(jdk, IsolatedServer.jetty10ClassPath(tmp), "Jetty 10 (javax) on " + jdk);
  }

  private void servlet(Jdk jdk, Class<?> app, String name) throws Exception {
    servlet(ChildServer.start(jdk, app, "file=" + tmp.resolve("servlet.barrel"), List.of()), name);
  }

  private void servlet(ChildServer started, String name) throws Exception {
    servlet(started, name, tmp.resolve("servlet.barrel"), true);
  }

  /**
   * The servlet scenarios; {@code ownServlet}: the app is {@code TestServlet} or its Jetty 9.4 twin,
   * which also serve a {@code RequestDispatcher} forward and an async request dispatched back to the
   * container ({@code /async-dispatch}); Spring MVC serves neither, and its {@code /async} is
   * already such a dispatch.
   */
  private void servlet(ChildServer started, String name, Path file, boolean ownServlet) throws Exception {
    servlet(started, name, file, ownServlet, NOTHING_FIRST);
  }

  /** The same with {@code first} before the servlet scenarios (e.g. the check of a slotted key). */
  private void servlet(ChildServer started, String name, Path file, boolean ownServlet, First first) throws Exception {
    try (ChildServer s = started) {
      ServerScenarios sc = start(s, name, file);
      withChildStderr(s, () -> {
        first.run(sc);
        servletScenarios(sc, ownServlet);
        sc.acceptedConnections();
      });
    }
  }

  /** The scenarios of {@link #servlet(ChildServer, String, Path, boolean)}, also run over TLS. */
  static void servletScenarios(ServerScenarios sc, boolean ownServlet) throws Exception {
    sc.plainRequests(ownServlet);
    sc.expectContinue();
    sc.heldRequest();
    sc.streamingResponse();
    sc.asyncRequest();
    if (ownServlet) {
      sc.asyncRequest("/async-dispatch");
      sc.asyncTimeout();
    } else {
      sc.asyncTimeout(503); // Spring MVC answers its own async timeout
      sc.streamingResponse("/sse", 0); // SseEmitter: written from an application thread
      sc.streamAbortedByClient("/sse");
      sc.streamsResetMidEvent("/sse", 10);
    }
    sc.handlerException(500);
    sc.clientAbort();
    threadPerRequestPipelining(sc);
  }
}
