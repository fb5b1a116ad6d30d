package dev.rainbarrel.it.apps;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;
import org.springframework.boot.web.embedded.undertow.UndertowServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.boot.web.servlet.server.ServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * An unmodified Spring Boot 3 web application on its embedded Tomcat: the same routes through
 * Spring MVC ({@code /async} is an MVC {@link Callable}, i.e. servlet async + an ASYNC dispatch;
 * {@code /boom} goes through Boot's {@code /error} ERROR dispatch). Prints {@code PORT <n>}.
 *
 * <p>{@code -Dit.server=jetty} or {@code undertow} runs it on Boot's embedded Jetty or Undertow
 * instead: the test class path holds all three containers, so the app declares the factory Boot's
 * {@code spring-boot-starter-jetty}/{@code -undertow} would auto-configure (Boot backs off from
 * Tomcat when one is declared). The server, its servlet container and Boot's wiring of it are the
 * ones a user of those starters runs.
 */
@SpringBootApplication
@RestController
public class SpringBootApp {

  private static volatile String webServer = "?";

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(SpringBootApp.class);
    app.setDefaultProperties(Map.of(
        "server.port", "0",
        "server.address", "127.0.0.1",
        "spring.main.banner-mode", "off",
        "logging.level.root", "WARN"));
    ServletWebServerApplicationContext ctx = (ServletWebServerApplicationContext) app.run(args);
    webServer = ctx.getWebServer().getClass().getName();
    System.out.println("PORT " + ctx.getWebServer().getPort());
    System.out.flush();
  }

  @Bean
  @ConditionalOnProperty(name = "it.server", havingValue = "jetty")
  ServletWebServerFactory jetty() {
    return new JettyServletWebServerFactory();
  }

  @Bean
  @ConditionalOnProperty(name = "it.server", havingValue = "undertow")
  ServletWebServerFactory undertow() {
    return new UndertowServletWebServerFactory();
  }

  /**
   * Boot's WebSocket set-up for the running server ({@code WebSocketServletAutoConfiguration}), which
   * Boot picks by what is on the class path under one bean name for all three servers: with all
   * three there, Jetty's won, and Tomcat and Undertow got no JSR 356 container (and Boot on Jetty did
   * not start with Undertow's there too). Declared here, as the factories above, it is the one an
   * application with only that server's starter gets.
   */
  @Bean(name = WEB_SOCKET_CUSTOMIZER)
  @ConditionalOnProperty(name = "it.server", havingValue = "tomcat", matchIfMissing = true)
  WebServerFactoryCustomizer<?> tomcatWebSocket() {
    return new org.springframework.boot.autoconfigure.websocket.servlet.TomcatWebSocketServletWebServerCustomizer();
  }

  @Bean(name = WEB_SOCKET_CUSTOMIZER)
  @ConditionalOnProperty(name = "it.server", havingValue = "jetty")
  WebServerFactoryCustomizer<?> jettyWebSocket() {
    return new org.springframework.boot.autoconfigure.websocket.servlet.JettyWebSocketServletWebServerCustomizer();
  }

  @Bean(name = WEB_SOCKET_CUSTOMIZER)
  @ConditionalOnProperty(name = "it.server", havingValue = "undertow")
  WebServerFactoryCustomizer<?> undertowWebSocket() {
    return new org.springframework.boot.autoconfigure.websocket.servlet.UndertowWebSocketServletWebServerCustomizer();
  }

  /** The name under which Boot's auto-configuration declares its WebSocket customizer (and backs off from ours). */
  private static final String WEB_SOCKET_CUSTOMIZER = "websocketServletWebServerCustomizer";

  @PostMapping("/echo")
  public String echo(@RequestBody String body) {
    return body;
  }

  @GetMapping("/ok")
  public String ok() {
    return "ok";
  }

  /** The class of the embedded web server, so that a test can tell which container it runs on. */
  @GetMapping("/server")
  public String server() {
    return webServer;
  }

  @GetMapping("/thread")
  public String thread() {
    return Thread.currentThread().toString();
  }

  /** The agent's tracking key, the container's request behind Spring's wrappers ({@link TrackingKey}). */
  @GetMapping("/slot")
  public String slot(ServletRequest request) {
    ServletRequest key = request;
    for (int i = 0; i < 32 && key instanceof ServletRequestWrapper w; i++) {
      key = w.getRequest();
    }
    return TrackingKey.describe(key);
  }

  @GetMapping("/code")
  public ResponseEntity<String> code(@RequestParam("c") int c) {
    return ResponseEntity.status(c).body("code " + c);
  }

  @GetMapping("/hold")
  public String hold() throws InterruptedException {
    Gate.await();
    return "held";
  }

  @GetMapping("/stream")
  public void stream(HttpServletResponse resp) throws IOException, InterruptedException {
    ServletOutputStream out = resp.getOutputStream();
    out.write("first\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    Gate.await();
    out.write("last\n".getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Server-sent events sent from an application thread (Spring MVC's {@code SseEmitter}): the
   * response is committed and written outside any container thread. Its async timeout is short
   * (5 s), because a server may keep a stream whose client reset it open until then.
   *
   * <p>The test sends one {@code /release} per {@code /sse}, and the sender takes it even when it
   * failed before its wait: a client that resets the stream as soon as it sees {@code first} makes
   * the write of the event's end fail (Spring flushes each part of an event), and Tomcat may then
   * refuse the sender's {@code completeWithError} too (an application thread using the {@code
   * AsyncContext} after an error). A release nobody took would let the app's next held request
   * straight through.
   */
  @GetMapping("/sse")
  public SseEmitter sse() {
    SseEmitter emitter = new SseEmitter(5_000L);
    new Thread(() -> {
      boolean released = false;
      try {
        emitter.send("first");
        Gate.await();
        released = true;
        emitter.send("last");
        emitter.complete();
      } catch (Exception e) {
        emitter.completeWithError(e);
      } finally {
        if (!released) {
          Gate.awaitAfterFailure();
        }
      }
    }, "sse-sender").start();
    return emitter;
  }

  @GetMapping("/async")
  public Callable<String> async() {
    return () -> {
      Thread.sleep(150);
      return "async";
    };
  }

  /** An MVC async request nobody completes: Spring answers its timeout with 503 (AsyncRequestTimeoutException). */
  @GetMapping("/async-timeout")
  public DeferredResult<String> asyncTimeout() {
    return new DeferredResult<>(300L);
  }

  @GetMapping("/boom")
  public String boom() {
    throw new IllegalStateException("boom (expected by the test)");
  }

  @GetMapping("/abort")
  public void abort(HttpServletResponse resp) throws IOException, InterruptedException {
    ServletOutputStream out = resp.getOutputStream();
    byte[] chunk = new byte[8192];
    for (int i = 0; i < 2000; i++) {
      out.write(chunk);
      out.flush();
      Thread.sleep(10);
    }
  }

  @GetMapping("/release")
  public String release() {
    Gate.release();
    return "released";
  }
}
