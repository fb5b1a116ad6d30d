package dev.rainbarrel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.it.apps.JdkHttpApp;
import dev.rainbarrel.it.apps.Jetty12App;
import dev.rainbarrel.it.apps.Jetty12CoreApp;
import dev.rainbarrel.it.apps.NettyApp;
import dev.rainbarrel.it.apps.SpringBootApp;
import dev.rainbarrel.it.apps.TlsKeystore;
import dev.rainbarrel.it.apps.TomcatApp;
import dev.rainbarrel.it.apps.UndertowApp;
import dev.rainbarrel.it.apps.WebFluxApp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP/1.1 over TLS (HTTPS, a {@code keytool} self-signed certificate for 127.0.0.1): the servers'
 * TLS layers sit below the hooks, so every row runs its server's {@link ServersIT} scenarios over
 * TLS and must count exactly as over cleartext, plus one {@code accept_wait} sample per connection
 * on JDK 25. Where the cleartext row runs the WebSocket scenario, so does the TLS row ({@code wss},
 * the JDK client trusting the row's certificate; {@link #withWebSocket} or the WebFlux scenarios). A client abort is a TCP reset under the TLS session
 * (no {@code close_notify}). Each row first proves that the server speaks TLS only; the Netty,
 * WebFlux-on-Reactor-Netty and Tomcat rows also which engine serves (the JDK's, Netty's OpenSSL
 * engine on netty-tcnative's BoringSSL, or Tomcat's OpenSSL through FFM), so that an OpenSSL row
 * cannot pass on the JDK's engine.
 */
class TlsIT {

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jdkHttpsServer(Jdk jdk) throws Exception {
    // -1: the JDK server closes the connection without a response on a handler exception
    plainHandler(jdk, JdkHttpApp.class, "JDK HttpsServer on " + jdk, -1);
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12(Jdk jdk) throws Exception {
    run(jdk, Jetty12App.class, TlsIT::itKeystoreAndWebSocket, "Jetty 12 (ee10) over TLS on " + jdk,
        withWebSocket(sc -> ServersIT.servletScenarios(sc, true)));
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void undertow(Jdk jdk) throws Exception {
    run(jdk, UndertowApp.class, TlsIT::itKeystore, "Undertow 2.3 over TLS on " + jdk,
        withWebSocket(sc -> ServersIT.plainHandlerScenarios(sc, 500)));
  }

  /** Jetty 12's core {@code Handler} (no servlet) behind the same {@code SslConnectionFactory} connector. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12CoreHandler(Jdk jdk) throws Exception {
    run(jdk, Jetty12CoreApp.class, TlsIT::itKeystore, "Jetty 12 core Handler over TLS on " + jdk,
        withWebSocket(sc -> ServersIT.plainHandlerScenarios(sc, 500)));
  }

  /**
   * The Tomcat app's own TLS connector ({@code SSLEnabled}, an {@code SSLHostConfig} with the keystore,
   * JSSE on NIO), as an embedder writes it.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat10(Jdk jdk) throws Exception {
    tomcatApp(jdk, ChildServer.childClassPath(), "Tomcat 10.1 over TLS on " + jdk);
  }

  /** The same app in the javax namespace on Tomcat 9, compiled as {@link ServersIT#tomcat9} runs it. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat9(Jdk jdk) throws Exception {
    tomcatApp(jdk, IsolatedServer.tomcat9ClassPath(tmp), "Tomcat 9 (javax) over TLS on " + jdk);
  }

  /** The same app compiled against Tomcat 11, as {@link ServersIT#tomcat11} runs it. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat11(Jdk jdk) throws Exception {
    tomcatApp(jdk, IsolatedServer.tomcat11ClassPath(tmp), "Tomcat 11 over TLS on " + jdk);
  }

  /**
   * Tomcat 10.1's connector on OpenSSL through the FFM API ({@code
   * org.apache.tomcat.util.net.openssl.panama.OpenSSLImplementation}, the system's libssl 3, an
   * {@code OpenSSLLifecycleListener} on the server): Tomcat's own {@code OpenSSLEngine} under the
   * same NIO connector. FFM needs JDK 22+: JDK 25 only.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat10OpenSsl() throws Exception {
    tomcatOpenSsl(IsolatedServer.withServerJars(ChildServer.childClassPath(), "tomcat10-ffm"),
        "Tomcat 10.1 over TLS (OpenSSL by FFM) on " + Jdk.JDK25);
  }

  /** The same on Tomcat 11 (the app compiled against 11, as {@link #tomcat11}). */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tomcat11OpenSsl() throws Exception {
    tomcatOpenSsl(IsolatedServer.withServerJars(IsolatedServer.tomcat11ClassPath(tmp), "tomcat11-ffm"),
        "Tomcat 11 over TLS (OpenSSL by FFM) on " + Jdk.JDK25);
  }

  /** Tomcat's JSSE engine: the plain Tomcat TLS rows check that OpenSSL did not slip in. */
  private static final String JSSE_ENGINE = "sun.security.ssl.SSLEngineImpl";

  /** Tomcat's OpenSSL engine through FFM. */
  static final String FFM_ENGINE = "org.apache.tomcat.util.net.openssl.panama.OpenSSLEngine";

  /** The Tomcat app from {@code classPath} with its {@code /ws}: the WebSocket and the servlet scenarios. */
  private void tomcatApp(Jdk jdk, String classPath, String name) throws Exception {
    run(jdk, TomcatApp.class.getName(), classPath, TlsIT::itKeystoreAndWebSocket, name,
        tlsEngine(JSSE_ENGINE), withWebSocket(sc -> ServersIT.servletScenarios(sc, true)));
  }

  /** The Tomcat app's switch to OpenSSL through FFM, and the JDK's for FFM's native calls. */
  static final List<String> TOMCAT_FFM = List.of("-Dit.tlsImplementation=openssl-ffm",
      "--enable-native-access=ALL-UNNAMED");

  /** {@link #tomcatApp} on JDK 25 with Tomcat's FFM OpenSSL implementation ({@code classPath} has its jar). */
  private void tomcatOpenSsl(String classPath, String name) throws Exception {
    run(Jdk.JDK25, TomcatApp.class.getName(), classPath, keystore -> concat(itKeystoreAndWebSocket(keystore),
        TOMCAT_FFM), name,
        tlsEngine(FFM_ENGINE), withWebSocket(sc -> ServersIT.servletScenarios(sc, true)));
  }

  /**
   * The Tomcat app's connector makes {@code engineClass} engines: its stderr line {@code it: TLS
   * engine <class>}, printed before its port (waited for, at most 10 s, as stderr is read apart).
   */
  static ChildCheck tlsEngine(String engineClass) {
    return stderrLine("it: TLS engine ", engineClass);
  }

  /**
   * The child printed the stderr line {@code prefix + value} (waited for, at most 10 s, as stderr is
   * read apart); a failure names the lines with {@code prefix} it printed instead.
   */
  static ChildCheck stderrLine(String prefix, String value) {
    return s -> {
      String expected = prefix + value;
      for (int i = 0; i < 100 && !s.stderr().contains(expected); i++) {
        Thread.sleep(100);
      }
      assertTrue(s.stderr().contains(expected), "not " + value + ": " + s.stderr().stream()
          .filter(l -> l.startsWith(prefix)).toList());
    };
  }

  /** Netty's {@code SslHandler} (JDK provider) in front of the HTTP codec, on NIO. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void nettyNio(Jdk jdk) throws Exception {
    netty(jdk, ChildServer.childClassPath(), "nio", false, "Netty 4.1 nio over TLS on " + jdk);
  }

  /** The same on native epoll (the {@code SslHandler} is the JDK provider's there too). */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void nettyEpoll(Jdk jdk) throws Exception {
    netty(jdk, ChildServer.childClassPath(), "epoll", false, "Netty 4.1 epoll over TLS on " + jdk);
  }

  /**
   * Netty's OpenSSL engine ({@code SslProvider.OPENSSL}: BoringSSL from netty-tcnative-boringssl-static,
   * {@code ReferenceCountedOpenSslEngine}'s own wrap/unwrap) under the same codec, on NIO.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void nettyNioOpenSsl(Jdk jdk) throws Exception {
    netty(jdk, IsolatedServer.withTcnative(ChildServer.childClassPath()), "nio", true,
        "Netty 4.1 nio over TLS (OpenSSL) on " + jdk);
  }

  /** The same on native epoll. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void nettyEpollOpenSsl(Jdk jdk) throws Exception {
    netty(jdk, IsolatedServer.withTcnative(ChildServer.childClassPath()), "epoll", true,
        "Netty 4.1 epoll over TLS (OpenSSL) on " + jdk);
  }

  /** The Netty app compiled against Netty 4.2, as {@link ServersIT#netty42} runs it, on NIO. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty42Nio(Jdk jdk) throws Exception {
    netty(jdk, IsolatedServer.netty42ClassPath(tmp), "nio", false, "Netty 4.2 nio over TLS on " + jdk);
  }

  /** The same on native epoll. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty42Epoll(Jdk jdk) throws Exception {
    netty(jdk, IsolatedServer.netty42ClassPath(tmp), "epoll", false, "Netty 4.2 epoll over TLS on " + jdk);
  }

  /** The Netty 4.2 app on Netty's OpenSSL engine (the same tcnative), on NIO. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty42NioOpenSsl(Jdk jdk) throws Exception {
    netty(jdk, IsolatedServer.withTcnative(IsolatedServer.netty42ClassPath(tmp)), "nio", true,
        "Netty 4.2 nio over TLS (OpenSSL) on " + jdk);
  }

  /** The same on native epoll. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void netty42EpollOpenSsl(Jdk jdk) throws Exception {
    netty(jdk, IsolatedServer.withTcnative(IsolatedServer.netty42ClassPath(tmp)), "epoll", true,
        "Netty 4.2 epoll over TLS (OpenSSL) on " + jdk);
  }

  /**
   * The Netty app from {@code classPath} on {@code transport}, its {@code SslHandler} on the JDK
   * provider or ({@code openSsl}) Netty's OpenSSL engine: first its {@code /tls} route must name
   * that engine on a connection of the row (BoringSSL loaded for OpenSSL: the row fails rather than
   * pass on the JDK's engine), then the WebSocket and the Netty scenarios.
   */
  private void netty(Jdk jdk, String classPath, String transport, boolean openSsl, String name) throws Exception {
    List<String> options = List.of("-Dtransport=" + transport, "-Dio.netty.noUnsafe=true",
        "-Dit.sslProvider=" + (openSsl ? "openssl" : "jdk"));
    run(jdk, NettyApp.class.getName(), classPath, keystore -> concat(itKeystore(keystore), options), name, sc -> {
      sc.answers("/tls", nettyEngine(openSsl));
      withWebSocket(ServersIT::nettyScenarios).run(sc);
    });
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** The Jetty 9.4 servlet app (its own class path): Jetty 9.4-11's {@code HttpChannel} hooks under TLS. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty94(Jdk jdk) throws Exception {
    jetty94App(jdk, IsolatedServer.jetty94ClassPath(tmp), "Jetty 9.4 (javax) over TLS on " + jdk);
  }

  /** The same app in the jakarta namespace on Jetty 11. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty11(Jdk jdk) throws Exception {
    jetty94App(jdk, IsolatedServer.jetty11ClassPath(tmp), "Jetty 11 (jakarta) over TLS on " + jdk);
  }

  /** The Jetty 9.4 app on Jetty 10 ({@code javax.servlet} 4), compiled as {@link ServersIT#jetty10} runs it. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty10(Jdk jdk) throws Exception {
    jetty94App(jdk, IsolatedServer.jetty10ClassPath(tmp), "Jetty 10 (javax) over TLS on " + jdk);
  }

  /**
   * The Jetty 9.4 app in Jetty 12's ee8 environment, compiled as {@link ServersIT#jetty12Ee8} runs it:
   * the "nested" layer's {@code HttpChannel} (a frame of the request Jetty 12's core hooks track)
   * behind the core's TLS connector, which the app's 9.4 connector code builds unchanged.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12Ee8(Jdk jdk) throws Exception {
    jetty94App(jdk, IsolatedServer.jetty12Ee8ClassPath(tmp), "Jetty 12 (ee8) over TLS on " + jdk);
  }

  /**
   * The Jetty 12 app and servlet in Jetty 12's ee11 environment (Servlet 6.1), as {@link
   * ServersIT#jetty12Ee11} runs it.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jetty12Ee11(Jdk jdk) throws Exception {
    run(jdk, Jetty12App.class.getName(), IsolatedServer.jetty12Ee11ClassPath(tmp), TlsIT::itKeystoreAndWebSocket,
        "Jetty 12 (ee11) over TLS on " + jdk, withWebSocket(sc -> ServersIT.servletScenarios(sc, true)));
  }

  /**
   * The Jetty 9.4 servlet app from {@code classPath} (Jetty 9.4, 10, 11 or 12's ee8 environment) with
   * its {@code /ws}: the WebSocket ({@code wss}) and the servlet scenarios.
   */
  private void jetty94App(Jdk jdk, String classPath, String name) throws Exception {
    run(jdk, "Jetty94App", classPath, TlsIT::itKeystoreAndWebSocket, name,
        withWebSocket(sc -> ServersIT.servletScenarios(sc, true)));
  }

  /**
   * Spring MVC on Boot's Tomcat with TLS configured by Boot's own {@code server.ssl.*} properties,
   * as an application would: no code of the app's for it. As on Undertow and Jetty below: checks the
   * running server, then the WebSocket ({@code wss}) and the servlet scenarios of {@link
   * ServersIT#springBoot3Tomcat}.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3Tomcat(Jdk jdk) throws Exception {
    springBootOn(jdk, "tomcat", "Tomcat", "TomcatWebServer", ChildServer.childClassPath());
  }

  /**
   * Spring Boot 3 WebFlux on Reactor Netty with TLS by Boot's {@code server.ssl.*} properties, no
   * code of the app's for it: Netty's {@code SslHandler} (JDK provider) ahead of Reactor Netty's
   * {@code HttpServerCodec}, on native epoll (Reactor Netty's default: reactor-netty-core brings
   * Netty's epoll jar for Linux x86_64). The scenarios of {@link ServersIT#springBoot3WebFlux},
   * the WebSocket over {@code wss}.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFlux(Jdk jdk) throws Exception {
    webFlux(jdk, ChildServer.childClassPath(), false, "Spring Boot 3 WebFlux (Reactor Netty) over TLS on " + jdk);
  }

  /**
   * The same with netty-tcnative (BoringSSL) on the class path and nothing else changed: Boot's
   * Reactor Netty TLS leaves the provider to Netty, whose default is then OpenSSL, as in an
   * application that has tcnative for its own reasons.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOpenSsl(Jdk jdk) throws Exception {
    webFlux(jdk, IsolatedServer.withTcnative(ChildServer.childClassPath()), true,
        "Spring Boot 3 WebFlux (Reactor Netty) over TLS (OpenSSL) on " + jdk);
  }

  /**
   * WebFlux on Reactor Netty from {@code classPath} over TLS by {@code server.ssl.*}: its {@code
   * /tls} must name Netty's OpenSSL engine with BoringSSL ({@code openSsl}) or not, then the
   * scenarios of {@link ServersIT#springBoot3WebFlux}, the WebSocket as {@code wss}.
   */
  private void webFlux(Jdk jdk, String classPath, boolean openSsl, String name) throws Exception {
    run(jdk, WebFluxApp.class.getName(), classPath, TlsIT::bootSsl, name, sc -> {
      sc.answers("/tls", nettyEngine(openSsl));
      withWebSocket(ServersIT::webFluxScenarios).run(sc);
    });
  }

  /** What {@code NettyTls.describe} answers for Netty's OpenSSL engine (BoringSSL loaded) or another one. */
  static String nettyEngine(boolean openSsl) {
    return openSsl ? "openssl-engine=true library=BoringSSL" : "openssl-engine=false";
  }

  /**
   * Spring MVC on Boot's Undertow (its servlet container, as {@link ServersIT#springBoot3Undertow}
   * runs it) with TLS by Boot's {@code server.ssl.*} properties: Boot's Undertow factory builds the
   * HTTPS listener. The row first checks that Boot runs on Undertow.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3Undertow(Jdk jdk) throws Exception {
    springBootOn(jdk, "undertow", "Undertow", "UndertowServletWebServer", ChildServer.childClassPath());
  }

  /**
   * The same on Boot's Jetty (ee10, the Jetty 12.0 release Boot manages, as {@link
   * ServersIT#springBoot3Jetty} runs it): Boot's Jetty factory puts an {@code SslConnectionFactory}
   * in front of the HTTP connection factory.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3Jetty(Jdk jdk) throws Exception {
    springBootOn(jdk, "jetty", "Jetty", "JettyWebServer", ServersIT.bootJettyClassPath());
  }

  /**
   * Spring MVC on Boot's {@code server} ({@code -Dit.server}) from {@code classPath} over TLS by
   * {@code server.ssl.*}: checks that the running web server is {@code webServerClass}, then the
   * WebSocket ({@code wss} to the app's {@code /ws}) and the servlet scenarios.
   */
  private void springBootOn(Jdk jdk, String server, String label, String webServerClass, String classPath)
      throws Exception {
    run(jdk, SpringBootApp.class.getName(), classPath, bootSslOn(server, "-Dit.webSocket=true"),
        "Spring Boot 3 (" + label + ") over TLS on " + jdk, sc -> {
          sc.answers("/server", webServerClass);
          sc.webSocket();
          ServersIT.servletScenarios(sc, false);
        });
  }

  /**
   * WebFlux on Boot's Tomcat ({@code TomcatReactiveWebServerFactory}) with TLS by {@code
   * server.ssl.*}: the scenarios of {@link ServersIT#springBoot3WebFluxOnTomcat}, the WebSocket over {@code wss}.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOnTomcat(Jdk jdk) throws Exception {
    webFluxOn(jdk, "tomcat", "Tomcat", ChildServer.childClassPath(), Set.of());
  }

  /**
   * WebFlux on Boot's Undertow ({@code UndertowReactiveWebServerFactory}, no servlet) with TLS by
   * {@code server.ssl.*}: the scenarios of {@link ServersIT#springBoot3WebFluxOnUndertow}, the
   * WebSocket over {@code wss}.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOnUndertow(Jdk jdk) throws Exception {
    webFluxOn(jdk, "undertow", "Undertow", ChildServer.childClassPath(), ServersIT.WEBFLUX_ON_UNDERTOW_SKIPS);
  }

  /**
   * WebFlux on Boot's Jetty ({@code JettyReactiveWebServerFactory}, Jetty 12.0 ee10) with TLS by
   * {@code server.ssl.*}: the scenarios of {@link ServersIT#springBoot3WebFluxOnJetty}, the
   * WebSocket over {@code wss}.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void springBoot3WebFluxOnJetty(Jdk jdk) throws Exception {
    webFluxOn(jdk, "jetty", "Jetty", ServersIT.bootJettyClassPath(), Set.of());
  }

  /** {@link ServersIT#webFluxOnScenarios} on Boot's {@code server} over TLS, without the {@code skipped} ones. */
  private void webFluxOn(Jdk jdk, String server, String label, String classPath, Set<String> skipped)
      throws Exception {
    run(jdk, WebFluxApp.class.getName(), classPath, bootSslOn(server),
        "Spring Boot 3 WebFlux (" + label + ") over TLS on " + jdk, sc -> ServersIT.webFluxOnScenarios(sc, skipped));
  }

  /** The JVM options that turn TLS on for an app, given the keystore. */
  @FunctionalInterface
  interface TlsOptions {
    List<String> of(Path keystore);
  }

  /** The apps' own switch, {@code -Dit.tlsKeystore}. */
  private static List<String> itKeystore(Path keystore) {
    return List.of("-Dit.tlsKeystore=" + keystore);
  }

  /** {@link #itKeystore} and the app's {@code /ws} endpoint ({@code -Dit.webSocket}: the Jetty and Tomcat apps). */
  private static List<String> itKeystoreAndWebSocket(Path keystore) {
    return List.of("-Dit.tlsKeystore=" + keystore, "-Dit.webSocket=true");
  }

  /** Spring Boot's own properties for the embedded server's TLS. */
  static List<String> bootSsl(Path keystore) {
    return List.of("-Dserver.ssl.key-store=" + keystore, "-Dserver.ssl.key-store-password=" + TlsKeystore.PASSWORD,
        "-Dserver.ssl.key-store-type=PKCS12");
  }

  /** {@link #bootSsl} for the test apps on Boot's embedded {@code server} ({@code -Dit.server}), and {@code more}. */
  private static TlsOptions bootSslOn(String server, String... more) {
    return keystore -> {
      List<String> args = new ArrayList<>(bootSsl(keystore));
      args.add("-Dit.server=" + server);
      args.addAll(List.of(more));
      return args;
    };
  }

  /** {@link ServersIT#plainHandlerScenarios}; {@code exceptionStatus}: what a handler exception answers. */
  private void plainHandler(Jdk jdk, Class<?> app, String name, int exceptionStatus) throws Exception {
    run(jdk, app, TlsIT::itKeystore, name, sc -> ServersIT.plainHandlerScenarios(sc, exceptionStatus));
  }

  /** Scenarios run against one server. */
  @FunctionalInterface
  private interface Scenarios {
    void run(ServerScenarios sc) throws Exception;
  }

  /** The WebSocket scenario over TLS ({@code wss} to the app's {@code /ws} echo), then {@code scenarios}. */
  private static Scenarios withWebSocket(Scenarios scenarios) {
    return sc -> {
      sc.webSocket();
      scenarios.run(sc);
    };
  }

  /**
   * Starts {@code app} over TLS on a fresh keystore, checks that it speaks TLS only, runs {@code
   * scenarios} over TLS, then the connection checks every row has.
   */
  private void run(Jdk jdk, Class<?> app, TlsOptions tls, String name, Scenarios scenarios) throws Exception {
    run(jdk, app.getName(), ChildServer.childClassPath(), tls, name, scenarios);
  }

  /** The same for {@code mainClass} on its own {@code classPath} (a server compiled by the test). */
  private void run(Jdk jdk, String mainClass, String classPath, TlsOptions tls, String name, Scenarios scenarios)
      throws Exception {
    run(jdk, mainClass, classPath, tls, name, s -> { }, scenarios);
  }

  /** A check of the running child (e.g. which TLS implementation it reports). */
  @FunctionalInterface
  interface ChildCheck {
    void check(ChildServer s) throws Exception;
  }

  /** The same, {@code check} run on the child once it proved to speak TLS only, before the scenarios. */
  private void run(Jdk jdk, String mainClass, String classPath, TlsOptions tls, String name, ChildCheck check,
      Scenarios scenarios) throws Exception {
    Path keystore = SelfSignedKeystore.create(jdk, tmp);
    Path file = tmp.resolve("tls.barrel");
    try (ChildServer s = ChildServer.start(jdk, mainClass, classPath, "file=" + file, tls.of(keystore))) {
      ServersIT.withChildStderr(s, () -> {
        ServerScenarios sc = speaksTlsOnly(s, name, file, keystore);
        check.check(s);
        scenarios.run(sc);
        sc.acceptedConnections();
        sc.acceptWaitPerConnection(jdk);
      });
    }
  }

  /**
   * The row cannot pass on a plain server: a request over TLS (handshake, certificate for
   * 127.0.0.1) is answered and counted once; the same request in cleartext is not answered 200 and
   * counts nothing (no server gets as far as a request: they close the connection or, Tomcat,
   * answer 400 from below the HTTP layer). Returns the row's scenarios over TLS.
   */
  private static ServerScenarios speaksTlsOnly(ChildServer s, String name, Path file, Path keystore) throws Exception {
    Transport tls = Transport.tls(SelfSignedKeystore.clientContext(keystore));
    Counters counters = new Counters(file);
    assertEquals(200, RawHttp.status(tls, s.port(), "/ok"), name + ": /ok over TLS");
    Map<String, Long> before = counters.await(m -> m.getOrDefault("requests", 0L) == 1
        && m.getOrDefault("calling", 0L) == 0 && m.getOrDefault("writing", 0L) == 0, 10_000);
    assertEquals(1, before.get("requests"), name + ": the TLS request counted " + before);
    int plain;
    try {
      plain = RawHttp.status(s.port(), "/ok");
    } catch (IOException e) {
      plain = -1; // refused at the TLS layer
    }
    assertNotEquals(200, plain, name + ": answered /ok in cleartext: not a TLS server");
    Thread.sleep(300); // a request counted for the cleartext attempt would show by now
    Map<String, Long> after = counters.read();
    assertEquals(0, Counters.delta(before, after, "requests"), name + ": cleartext attempt counted " + after);
    assertEquals(0, Counters.delta(before, after, "errors"), name + ": cleartext attempt counted " + after);
    assertEquals(0, after.get("calling") + after.get("writing"), name + ": " + after);
    return new ServerScenarios(name, s.port(), counters, tls);
  }
}
