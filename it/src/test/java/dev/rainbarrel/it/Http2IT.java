package dev.rainbarrel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.it.apps.Jetty12App;
import dev.rainbarrel.it.apps.Jetty12CoreApp;
import dev.rainbarrel.it.apps.NettyH2cApp;
import dev.rainbarrel.it.apps.SpringBootApp;
import dev.rainbarrel.it.apps.TomcatApp;
import dev.rainbarrel.it.apps.UndertowApp;
import dev.rainbarrel.it.apps.WebFluxApp;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP/2 over cleartext (the JDK client upgrades its first request with {@code Upgrade: h2c}, then
 * multiplexes streams on that one connection) and over TLS (h2 chosen by ALPN in the handshake):
 * every stream counts as one request, as an HTTP/1.1 request does, and the gauges follow the
 * streams.
 */
class Http2IT {

  @TempDir Path tmp;

  private static final List<String> H2C = List.of("-Dit.h2c=true");

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat10(Jdk jdk) throws Exception {
    String name = "Tomcat 10.1 h2c on " + jdk;
    run(ChildServer.start(jdk, TomcatApp.class, "file=" + file(), H2C), name, 500, true, slotted(name, ServersIT.TOMCAT_KEY));
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12(Jdk jdk) throws Exception {
    run(ChildServer.start(jdk, Jetty12App.class, "file=" + file(), H2C), "Jetty 12 (ee10) h2c on " + jdk, 500, true);
  }

  /** The same app in Jetty 12's ee11 environment (Servlet 6.1), compiled as {@link ServersIT#jetty12Ee11} does. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12Ee11(Jdk jdk) throws Exception {
    run(ChildServer.start(jdk, Jetty12App.class.getName(), IsolatedServer.jetty12Ee11ClassPath(tmp), "file=" + file(),
        H2C),
        "Jetty 12 (ee11) h2c on " + jdk, 500, true);
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12CoreHandler(Jdk jdk) throws Exception {
    run(ChildServer.start(jdk, Jetty12CoreApp.class, "file=" + file(), H2C), "Jetty 12 core Handler h2c on " + jdk, 500, false);
  }

  /** Spring MVC on Tomcat with {@code server.http2.enabled} and no TLS (h2c). */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3Tomcat(Jdk jdk) throws Exception {
    String name = "Spring Boot 3 (Tomcat) h2c on " + jdk;
    run(ChildServer.start(jdk, SpringBootApp.class, "file=" + file(), BOOT_HTTP2), name, 500, true,
        slotted(name, ServersIT.TOMCAT_KEY));
  }

  /**
   * Spring MVC on Boot's Tomcat with {@code server.http2.enabled} and {@code server.ssl.*}, no code
   * of the app's for either: Boot adds {@code Http2Protocol} to its TLS connector, and the JDK's
   * ALPN picks h2.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3TomcatOverTls(Jdk jdk) throws Exception {
    bootOverTls(jdk, SpringBootApp.class, BOOT_HTTP2, "Spring Boot 3 (Tomcat) h2 over TLS on " + jdk, true);
  }

  /**
   * Spring MVC on Boot's Undertow ({@code -Dit.server=undertow}, as {@link ServersIT#springBoot3Undertow})
   * with {@code server.http2.enabled} and {@code server.ssl.*}: Boot's Undertow factory enables
   * HTTP/2 on its HTTPS listener, the JDK's ALPN picks h2.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3UndertowOverTls(Jdk jdk) throws Exception {
    bootOverTlsOn(jdk, "undertow", "UndertowServletWebServer", ChildServer.childClassPath(),
        "Spring Boot 3 (Undertow) h2 over TLS on " + jdk);
  }

  /**
   * The same on Boot's Jetty (ee10, Jetty 12.0, as {@link ServersIT#springBoot3Jetty}) with the jars
   * Boot's documentation asks for h2 over TLS there, {@code jetty-http2-server} and {@code
   * jetty-alpn-java-server} (and what they need) at the same Jetty release: Boot's Jetty factory puts
   * {@code ALPNServerConnectionFactory} and {@code HTTP2ServerConnectionFactory} behind the TLS one.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3JettyOverTls(Jdk jdk) throws Exception {
    bootOverTlsOn(jdk, "jetty", "JettyWebServer",
        IsolatedServer.withServerJars(ServersIT.bootJettyClassPath(), "boot-jetty-http2"),
        "Spring Boot 3 (Jetty) h2 over TLS on " + jdk);
  }

  /**
   * Spring MVC on Boot's {@code server} ({@code -Dit.server}) from {@code classPath} with {@code
   * server.http2.enabled} and {@code server.ssl.*}: the servlet scenarios over h2, then the app's
   * {@code /server} over h2 on the same connection must name {@code webServerClass} (after the
   * scenarios, which count from the first request).
   */
  private void bootOverTlsOn(Jdk jdk, String server, String webServerClass, String classPath, String name)
      throws Exception {
    Path keystore = SelfSignedKeystore.create(jdk, tmp);
    List<String> args = new ArrayList<>(BOOT_HTTP2);
    args.add("-Dit.server=" + server);
    args.addAll(TlsIT.bootSsl(keystore));
    scenarios(ChildServer.start(jdk, SpringBootApp.class.getName(), classPath, "file=" + file(), args),
        client(SelfSignedKeystore.clientContext(keystore)), "https", name, 500, true,
        answers(name, "/server", webServerClass));
  }

  /** A check that {@code GET path} over HTTP/2 answers 200 with a body containing {@code expected}. */
  private static Check answers(String name, String path, String expected) {
    return (child, client, base) -> {
      HttpResponse<String> r = send(client, base, path);
      assertEquals(HttpClient.Version.HTTP_2, r.version(), name + ": " + path + " over HTTP/2");
      assertTrue(r.statusCode() == 200 && r.body().contains(expected),
          name + ": " + path + " did not answer " + expected + ": " + r.body());
    };
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void undertow(Jdk jdk) throws Exception {
    run(ChildServer.start(jdk, UndertowApp.class, "file=" + file(), H2C), "Undertow 2.3 h2c on " + jdk, 500, false);
  }

  private Path file() {
    return tmp.resolve("h2.barrel");
  }

  /**
   * The scenarios over h2c on a started server; {@code servlet}: also an async request.
   *
   * @param exceptionStatus what a handler exception answers; -1: the stream is reset
   */
  private void run(ChildServer started, String name, int exceptionStatus, boolean servlet) throws Exception {
    scenarios(started, client(null), "http", name, exceptionStatus, servlet);
  }

  /** The same, then {@code after}. */
  private void run(ChildServer started, String name, int exceptionStatus, boolean servlet, Check after) throws Exception {
    scenarios(started, client(null), "http", name, exceptionStatus, servlet, after);
  }

  /** The tracking key of Netty's HTTP/2 streams (Reactor Netty's too): the stream's child channel. */
  private static final String NETTY_STREAM_KEY = "io.netty.handler.codec.http2.Http2MultiplexHandler$Http2MultiplexHandlerStreamChannel";

  /**
   * The app's {@code /slot} over HTTP/2 ({@link dev.rainbarrel.it.apps.TrackingKey}): the stream's
   * tracking key is a {@code keyClass} with the agent's slot field, in which the in-flight table
   * recorded its slot; the request counts once and leaves nothing in flight.
   */
  private Check slotted(String name, String keyClass) {
    return (child, client, base) -> {
      Counters counters = new Counters(file());
      Map<String, Long> before = counters.read();
      HttpResponse<String> r = send(client, base, "/slot");
      assertEquals(HttpClient.Version.HTTP_2, r.version(), name + ": /slot over HTTP/2");
      String[] words = r.body().trim().split(" ");
      assertTrue(r.statusCode() == 200 && words.length == 3 && words[0].equals(keyClass) && words[1].equals("slot")
          && Integer.parseInt(words[2]) > 0, name + ": /slot should name a slotted " + keyClass + ": " + r.body());
      Map<String, Long> after = settle(counters, before, 1);
      assertEquals(before.getOrDefault("requests", 0L) + 1, after.get("requests"), name + ": /slot counted once " + after);
    };
  }

  /**
   * The same scenarios over TLS: {@code mainClass} from {@code classPath} started with {@code
   * jvmArgs} and {@code -Dit.tlsKeystore} (a fresh {@code keytool} self-signed certificate for
   * 127.0.0.1, which the client verifies); the client offers h2 and HTTP/1.1 by ALPN, and {@link
   * #streams} fails unless the server picked h2.
   */
  private void overTls(Jdk jdk, String mainClass, String classPath, List<String> jvmArgs, String name,
      int exceptionStatus, boolean servlet) throws Exception {
    overTls(jdk, mainClass, classPath, jvmArgs, keystore -> List.of("-Dit.tlsKeystore=" + keystore), name,
        exceptionStatus, servlet, (child, c, base) -> { });
  }

  /**
   * The same with TLS turned on by {@code tls} (e.g. Spring Boot's {@code server.ssl.*}) instead,
   * and {@code after} the scenarios.
   */
  private void overTls(Jdk jdk, String mainClass, String classPath, List<String> jvmArgs, TlsIT.TlsOptions tls,
      String name, int exceptionStatus, boolean servlet, Check after) throws Exception {
    overTls(jdk, mainClass, classPath, jvmArgs, tls, name, exceptionStatus, servlet, true, NO_CHECK, after);
  }

  /**
   * The same with {@code before} the scenarios (a check that sends no request: they count from the
   * first); {@code heldStream}: whether a held stream holds {@code calling} (see {@link #streams}).
   */
  private void overTls(Jdk jdk, String mainClass, String classPath, List<String> jvmArgs, TlsIT.TlsOptions tls,
      String name, int exceptionStatus, boolean servlet, boolean heldStream, Check before, Check after)
      throws Exception {
    Path keystore = SelfSignedKeystore.create(jdk, tmp);
    List<String> args = new ArrayList<>(jvmArgs);
    args.addAll(tls.of(keystore));
    scenarios(ChildServer.start(jdk, mainClass, classPath, "file=" + file(), args),
        client(SelfSignedKeystore.clientContext(keystore)), "https", name, exceptionStatus, servlet, heldStream,
        before, after);
  }

  /** {@link #overTls} for a Spring Boot app configured by properties only: these and Boot's {@code server.ssl.*}. */
  private void bootOverTls(Jdk jdk, Class<?> app, List<String> properties, String name, boolean servlet)
      throws Exception {
    overTls(jdk, app.getName(), ChildServer.childClassPath(), properties, TlsIT::bootSsl, name, 500, servlet,
        (child, c, base) -> { });
  }

  /** Boot's switch for HTTP/2: h2c without {@code server.ssl.*}, h2 by ALPN with it. */
  private static final List<String> BOOT_HTTP2 = List.of("-Dserver.http2.enabled=true");

  /** {@link #overTls} for an app on the test class path. */
  private void overTls(Jdk jdk, Class<?> app, List<String> jvmArgs, String name, int exceptionStatus,
      boolean servlet) throws Exception {
    overTls(jdk, app.getName(), ChildServer.childClassPath(), jvmArgs, name, exceptionStatus, servlet);
  }

  /** Runs the scenarios with {@code client} on {@code scheme}, then stops the server. */
  private void scenarios(ChildServer started, HttpClient client, String scheme, String name, int exceptionStatus,
      boolean servlet) throws Exception {
    scenarios(started, client, scheme, name, exceptionStatus, servlet, (child, c, base) -> { });
  }

  /** A last check of the server {@code child} at {@code base}, with the scenarios' {@code client}. */
  @FunctionalInterface
  private interface Check {
    void run(ChildServer child, HttpClient client, URI base) throws Exception;
  }

  /** No check. */
  private static final Check NO_CHECK = (child, client, base) -> { };

  /** The same, then {@code after}. */
  private void scenarios(ChildServer started, HttpClient client, String scheme, String name, int exceptionStatus,
      boolean servlet, Check after) throws Exception {
    scenarios(started, client, scheme, name, exceptionStatus, servlet, true, NO_CHECK, after);
  }

  /** The same with {@code before} first; {@code heldStream}: see {@link #streams}. */
  private void scenarios(ChildServer started, HttpClient client, String scheme, String name, int exceptionStatus,
      boolean servlet, boolean heldStream, Check before, Check after) throws Exception {
    try (ChildServer s = started) {
      URI base = URI.create(scheme + "://127.0.0.1:" + s.port());
      ServersIT.withChildStderr(s, () -> {
        before.run(s, client, base);
        streams(name, client, base, new Counters(file()), exceptionStatus, heldStream);
        if (servlet) {
          asyncStream(name, client, base, new Counters(file()));
        }
        after.run(s, client, base);
      });
    }
  }

  /** A client that prefers HTTP/2; {@code tls}: its TLS context, or null for cleartext only. */
  private static HttpClient client(SSLContext tls) {
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5));
    return (tls == null ? b : b.sslContext(tls)).build();
  }

  /**
   * HTTP/2 over TLS (h2, chosen by ALPN in the handshake) on the Tomcat app's connector ({@code
   * Http2Protocol} with an {@code SSLHostConfig}): the hooks sit above TLS, so the streams count
   * as over cleartext. The same holds for every {@code ...OverTls} row.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat10OverTls(Jdk jdk) throws Exception {
    overTls(jdk, TomcatApp.class, H2C, "Tomcat 10.1 h2 over TLS on " + jdk, 500, true);
  }

  /**
   * The same connector on OpenSSL through FFM (as {@code TlsIT.tomcat10OpenSsl}; JDK 25 only): ALPN by
   * OpenSSL's callback; after the scenarios the app's engine line must name Tomcat's FFM {@code
   * OpenSSLEngine}.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat10OverTlsOpenSsl() throws Exception {
    List<String> args = new ArrayList<>(H2C);
    args.addAll(TlsIT.TOMCAT_FFM);
    overTls(Jdk.JDK25, TomcatApp.class.getName(), IsolatedServer.withServerJars(ChildServer.childClassPath(),
        "tomcat10-ffm"), args, keystore -> List.of("-Dit.tlsKeystore=" + keystore),
        "Tomcat 10.1 h2 over TLS (OpenSSL by FFM) on " + Jdk.JDK25, 500, true,
        (child, c, base) -> TlsIT.tlsEngine(TlsIT.FFM_ENGINE).check(child));
  }

  /**
   * Jetty 12 (ee10) as an embedder writes HTTP/2 over TLS: {@code SslConnectionFactory}, then
   * {@code ALPNServerConnectionFactory} (the JDK's ALPN, jetty-alpn-java-server) choosing {@code
   * HTTP2ServerConnectionFactory} or {@code HttpConnectionFactory}.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12OverTls(Jdk jdk) throws Exception {
    overTls(jdk, Jetty12App.class, H2C, "Jetty 12 (ee10) h2 over TLS on " + jdk, 500, true);
  }

  /** The same connector in front of the ee11 environment, compiled as {@link ServersIT#jetty12Ee11} does. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12Ee11OverTls(Jdk jdk) throws Exception {
    overTls(jdk, Jetty12App.class.getName(), IsolatedServer.jetty12Ee11ClassPath(tmp), H2C,
        "Jetty 12 (ee11) h2 over TLS on " + jdk, 500, true);
  }

  /** The same connector in front of Jetty 12's core {@code Handler}. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12CoreHandlerOverTls(Jdk jdk) throws Exception {
    overTls(jdk, Jetty12CoreApp.class, H2C, "Jetty 12 core Handler h2 over TLS on " + jdk, 500, false);
  }

  /** Undertow's HTTPS listener with {@code ENABLE_HTTP2}: h2 by ALPN on the JDK's {@code SSLEngine}. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void undertowOverTls(Jdk jdk) throws Exception {
    overTls(jdk, UndertowApp.class, H2C, "Undertow 2.3 h2 over TLS on " + jdk, 500, false);
  }

  /**
   * Netty's multiplexed HTTP/2 ({@code Http2StreamFrameToHttpObjectCodec} per stream, as Reactor
   * Netty has it). Its handler resets the stream on an exception instead of answering.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty41(Jdk jdk) throws Exception {
    String name = "Netty 4.1 h2c on " + jdk;
    run(ChildServer.start(jdk, NettyH2cApp.class, "file=" + file(), List.of()), name, -1, false,
        slotted(name, NETTY_STREAM_KEY));
  }

  /**
   * Spring WebFlux on Reactor Netty with {@code server.http2.enabled} and no TLS: Reactor Netty
   * serves h2c through the same stream codec; a handler exception is answered 500 by Boot's error
   * handler and marked failed by the WebFlux hook on the stream's channel.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFlux(Jdk jdk) throws Exception {
    String name = "Spring Boot 3 WebFlux h2c on " + jdk;
    run(ChildServer.start(jdk, WebFluxApp.class, "file=" + file(), BOOT_HTTP2), name, 500, false,
        slotted(name, NETTY_STREAM_KEY));
  }

  /**
   * The same WebFlux app with {@code server.http2.enabled} and {@code server.ssl.*}: Reactor Netty
   * offers h2 and HTTP/1.1 by ALPN on Netty's {@code SslHandler} (JDK provider) and serves h2
   * through the same per-stream codec as h2c.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOverTls(Jdk jdk) throws Exception {
    webFluxOverTls(jdk, ChildServer.childClassPath(), false, "Spring Boot 3 WebFlux h2 over TLS on " + jdk);
  }

  /**
   * The same with netty-tcnative (BoringSSL) on the class path: Reactor Netty's HTTP/2 TLS context
   * then picks Netty's OpenSSL engine for ALPN.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOverTlsOpenSsl(Jdk jdk) throws Exception {
    webFluxOverTls(jdk, IsolatedServer.withTcnative(ChildServer.childClassPath()), true,
        "Spring Boot 3 WebFlux h2 over TLS (OpenSSL) on " + jdk);
  }

  /**
   * WebFlux from {@code classPath} with {@code server.http2.enabled} and {@code server.ssl.*}; after
   * the scenarios its {@code /tls} over h2 must name Netty's OpenSSL engine ({@code openSsl}) or not.
   */
  private void webFluxOverTls(Jdk jdk, String classPath, boolean openSsl, String name) throws Exception {
    overTls(jdk, WebFluxApp.class.getName(), classPath, BOOT_HTTP2, TlsIT::bootSsl, name, 500, false,
        answers(name, "/tls", TlsIT.nettyEngine(openSsl)));
  }

  /**
   * Spring WebFlux on Boot's Jetty ({@code JettyReactiveWebServerFactory}: WebFlux as an async
   * servlet in the ee10 container of Jetty 12.0, as {@link ServersIT#springBoot3WebFluxOnJetty})
   * with {@code server.http2.enabled}, {@code server.ssl.*} and the h2 jars of {@link
   * #springBoot3JettyOverTls}. First the app must name {@code JettyWebServer} (a stderr line: the
   * scenarios count from the first request, which must be answered over h2). No held stream: there a
   * request held in WebFlux's chain holds no gauge once the servlet has returned (as in {@link
   * ServersIT#springBoot3WebFluxOnJetty}, which has no held scenario either). (The same on Boot's
   * Undertow is no row: without the agent, Boot 3.5.16's {@code UndertowReactiveWebServerFactory}
   * resets about one h2 stream in four, UT005032, before any response.)
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOnJettyOverTls(Jdk jdk) throws Exception {
    webFluxOnOverTls(jdk, "jetty", "org.springframework.boot.web.embedded.jetty.JettyWebServer",
        IsolatedServer.withServerJars(ServersIT.bootJettyClassPath(), "boot-jetty-http2"),
        "Spring Boot 3 WebFlux (Jetty) h2 over TLS on " + jdk);
  }

  /**
   * The WebFlux app on Boot's {@code server} ({@code -Dit.server}) from {@code classPath} with {@code
   * server.http2.enabled} and {@code server.ssl.*}: its stderr must name {@code webServerClass}
   * before the scenarios.
   */
  private void webFluxOnOverTls(Jdk jdk, String server, String webServerClass, String classPath, String name)
      throws Exception {
    List<String> args = new ArrayList<>(BOOT_HTTP2);
    args.add("-Dit.server=" + server);
    overTls(jdk, WebFluxApp.class.getName(), classPath, args, TlsIT::bootSsl, name, 500, false, false,
        (child, c, base) -> TlsIT.stderrLine("it: web server ", webServerClass).check(child), NO_CHECK);
  }

  /** The same app compiled against Netty 4.2 (its own class path). */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty42(Jdk jdk) throws Exception {
    String name = "Netty 4.2 h2c on " + jdk;
    run(ChildServer.start(jdk, NettyH2cApp.class.getName(), IsolatedServer.netty42ClassPath(tmp), "file=" + file(),
        List.of("-Dio.netty.noUnsafe=true")), name, -1, false, slotted(name, NETTY_STREAM_KEY));
  }

  /**
   * The Netty app over TLS: an {@code SslHandler} (JDK provider) whose context offers h2 by ALPN,
   * then an {@code ApplicationProtocolNegotiationHandler} that installs the same multiplexed
   * streams as over cleartext.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty41OverTls(Jdk jdk) throws Exception {
    nettyOverTls(jdk, ChildServer.childClassPath(), List.of(), false, "Netty 4.1 h2 over TLS on " + jdk);
  }

  /** The same compiled against Netty 4.2. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty42OverTls(Jdk jdk) throws Exception {
    nettyOverTls(jdk, IsolatedServer.netty42ClassPath(tmp), List.of("-Dio.netty.noUnsafe=true"), false,
        "Netty 4.2 h2 over TLS on " + jdk);
  }

  /** The Netty 4.1 app on Netty's OpenSSL engine (netty-tcnative, BoringSSL), ALPN by OpenSSL. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty41OverTlsOpenSsl(Jdk jdk) throws Exception {
    nettyOverTls(jdk, IsolatedServer.withTcnative(ChildServer.childClassPath()), List.of(), true,
        "Netty 4.1 h2 over TLS (OpenSSL) on " + jdk);
  }

  /** The same compiled against Netty 4.2. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty42OverTlsOpenSsl(Jdk jdk) throws Exception {
    nettyOverTls(jdk, IsolatedServer.withTcnative(IsolatedServer.netty42ClassPath(tmp)),
        List.of("-Dio.netty.noUnsafe=true"), true, "Netty 4.2 h2 over TLS (OpenSSL) on " + jdk);
  }

  /**
   * The Netty h2 app from {@code classPath} over TLS on the JDK provider or ({@code openSsl}) Netty's
   * OpenSSL engine; after the scenarios its {@code /tls} over h2 must name that engine.
   */
  private void nettyOverTls(Jdk jdk, String classPath, List<String> jvmArgs, boolean openSsl, String name)
      throws Exception {
    List<String> args = new ArrayList<>(jvmArgs);
    args.add("-Dit.sslProvider=" + (openSsl ? "openssl" : "jdk"));
    overTls(jdk, NettyH2cApp.class.getName(), classPath, args, keystore -> List.of("-Dit.tlsKeystore=" + keystore),
        name, -1, false, answers(name, "/tls", TlsIT.nettyEngine(openSsl)));
  }

  /**
   * @param exceptionStatus what a handler exception answers; -1: the stream is reset
   * @param heldStream whether to check that a stream held in the handler is {@code calling} = 1 (not
   *     where the handler's frame returns before the hold, as WebFlux's on a servlet container)
   */
  private static void streams(String name, HttpClient client, URI base, Counters counters, int exceptionStatus,
      boolean heldStream) throws Exception {
    // the first request: over cleartext an HTTP/1.1 upgrade that the answer turns into stream 1;
    // over TLS stream 1 of a connection whose handshake chose h2 (HTTP/1.1 there fails the row)
    HttpResponse<String> first = send(client, base, "/ok");
    assertEquals(HttpClient.Version.HTTP_2, first.version(), name + ": spoke HTTP/2");
    Map<String, Long> before = settle(counters, Map.of(), 1);
    assertEquals(1, before.get("requests"), name + ": the first request " + before);

    // 20 concurrent streams on the one connection, 4 of them 404
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(client.sendAsync(get(base, i % 5 == 4 ? "/code?c=404" : "/ok"), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      assertEquals(HttpClient.Version.HTTP_2, f.get(30, TimeUnit.SECONDS).version(), name);
    }
    Map<String, Long> after = settle(counters, before, 20);
    assertEquals(20, Counters.delta(before, after, "requests"), name + ": one request per stream " + after);
    assertEquals(16, Counters.delta(before, after, "responses_2xx"), name + ": 2xx " + after);
    assertEquals(4, Counters.delta(before, after, "responses_4xx"), name + ": 4xx " + after);
    assertEquals(20, Counters.delta(before, after, "request_duration.count"), name + ": durations " + after);
    assertEquals(0, Counters.delta(before, after, "errors"), name + ": errors " + after);
    assertEquals(1, after.get("accepted"), name + ": all on one connection " + after);

    // a stream held inside the servlet is calling (and still is a moment later: not only while the
    // handler's frame runs before the hold); a streamed response between its chunks is writing
    Map<String, Long> during;
    if (heldStream) {
      before = after;
      CompletableFuture<HttpResponse<String>> held = client.sendAsync(get(base, "/hold"), HttpResponse.BodyHandlers.ofString());
      counters.await(m -> m.getOrDefault("calling", 0L) == 1, 10_000);
      Thread.sleep(300);
      during = counters.read();
      assertEquals(1, during.get("calling"), name + ": calling while a stream is held " + during);
      assertEquals(200, send(client, base, "/release").statusCode(), name + ": /release");
      assertEquals(200, held.get(30, TimeUnit.SECONDS).statusCode(), name + ": held stream");
      after = settle(counters, before, 2);
      assertEquals(0, after.get("calling"), name + ": calling after " + after);
    }

    before = after;
    HttpResponse<InputStream> streamed = client.send(get(base, "/stream"), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader body = new BufferedReader(new InputStreamReader(streamed.body(), StandardCharsets.US_ASCII))) {
      assertEquals("first", lineWith(body, "first"), name + ": first chunk");
      during = counters.await(m -> m.getOrDefault("writing", 0L) == 1, 10_000);
      assertEquals(1, during.get("writing"), name + ": writing between the chunks " + during);
      assertEquals(200, send(client, base, "/release").statusCode(), name + ": /release");
      assertEquals("last", lineWith(body, "last"), name + ": last chunk");
    }
    after = settle(counters, before, 2);
    assertEquals(0, after.get("writing"), name + ": writing after " + after);
    assertEquals(0, after.get("calling"), name + ": calling after " + after);

    // a handler exception: one request, one error, nothing left in flight
    before = after;
    if (exceptionStatus > 0) {
      assertEquals(exceptionStatus, send(client, base, "/boom").statusCode(), name + ": /boom");
    } else {
      assertThrows(java.io.IOException.class, () -> send(client, base, "/boom"), name + ": /boom resets its stream");
    }
    after = settle(counters, before, 1);
    assertEquals(1, Counters.delta(before, after, "errors"), name + ": errors " + after);
    assertEquals(0, after.get("calling") + after.get("writing"), name + ": gauges after the exception " + after);

    // the client resets a stream in the middle of a long response (RST_STREAM, the connection
    // stays): one request, one error, nothing left in flight
    before = after;
    HttpResponse<InputStream> aborted = client.send(get(base, "/abort"), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = aborted.body()) {
      body.readNBytes(20_000);
      during = counters.await(m -> m.getOrDefault("writing", 0L) == 1, 10_000);
      assertEquals(1, during.get("writing"), name + ": writing before the reset " + during);
    } // closing the body early resets the stream
    Map<String, Long> was = before;
    after = counters.await(m -> Counters.delta(was, m, "requests") >= 1
        && m.getOrDefault("calling", 0L) == 0 && m.getOrDefault("writing", 0L) == 0, 30_000);
    Thread.sleep(150); // a second end would show by now
    after = counters.read();
    assertEquals(1, Counters.delta(before, after, "requests"), name + ": the reset stream counts once " + after);
    assertEquals(1, Counters.delta(before, after, "errors"), name + ": as an error " + after);
    assertEquals(0, after.get("calling") + after.get("writing"), name + ": gauges after the reset " + after);
    assertEquals(200, send(client, base, "/ok").statusCode(), name + ": the connection still serves");
    settle(counters, after, 1); // counted before whatever the caller measures next
  }

  /** A servlet's async request on a stream, completed 150 ms later on another thread: counted once. */
  private static void asyncStream(String name, HttpClient client, URI base, Counters counters) throws Exception {
    Map<String, Long> before = counters.read();
    HttpResponse<String> r = send(client, base, "/async");
    assertEquals(200, r.statusCode(), name + ": /async");
    assertEquals("async", r.body(), name + ": /async body");
    Map<String, Long> after = settle(counters, before, 1);
    Thread.sleep(300); // a second end would show by now
    after = counters.read();
    assertEquals(1, Counters.delta(before, after, "requests"), name + ": async counted once " + after);
    assertEquals(1, Counters.delta(before, after, "responses_2xx"), name + ": " + after);
    assertEquals(0, after.get("calling") + after.get("writing"), name + ": gauges after async " + after);
  }

  /** {@code word} if a line containing it comes before the end (server-sent events: {@code data:word}). */
  private static String lineWith(BufferedReader body, String word) throws java.io.IOException {
    for (String line; (line = body.readLine()) != null; ) {
      if (line.contains(word)) {
        return word;
      }
    }
    return null;
  }

  private static HttpRequest get(URI base, String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).build();
  }

  private static HttpResponse<String> send(HttpClient client, URI base, String path) throws Exception {
    return client.send(get(base, path), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Waits (bounded) until {@code n} more requests completed than in {@code before}, each with its
   * duration recorded (the recorder counts the request a moment before its duration) and nothing in
   * flight; then 150 ms more, in which anything counted twice would show.
   */
  private static Map<String, Long> settle(Counters counters, Map<String, Long> before, long n) throws Exception {
    long want = before.getOrDefault("requests", 0L) + n;
    counters.await(m -> m.getOrDefault("requests", 0L) >= want && m.getOrDefault("request_duration.count", 0L) >= want
        && m.getOrDefault("calling", 0L) == 0 && m.getOrDefault("writing", 0L) == 0, 10_000);
    Thread.sleep(150);
    return counters.read();
  }


}
