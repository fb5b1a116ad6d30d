package dev.rainbarrel.it.apps;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * An unmodified Spring Boot 3 WebFlux application on Reactor Netty (functional routes): the same
 * routes as the other apps. Reactor Netty is chosen explicitly, as the test class path also has
 * Tomcat, Jetty and Undertow. Not a {@code @Configuration} (the MVC app's component scan of this
 * package must not see it): the routes are registered by an initializer. Prints {@code PORT <n>}.
 */
@EnableAutoConfiguration
public class WebFluxApp {

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(WebFluxApp.class);
    app.setWebApplicationType(WebApplicationType.REACTIVE);
    app.setDefaultProperties(Map.of(
        "server.port", "0",
        "server.address", "127.0.0.1",
        "spring.main.banner-mode", "off",
        "logging.level.root", "WARN"));
    app.addInitializers(ctx -> {
      GenericApplicationContext g = (GenericApplicationContext) ctx;
      String server = System.getProperty("it.server", "netty");
      boolean tomcat = server.equals("tomcat"); // WebFlux on Tomcat's servlet container
      if (tomcat) {
        g.registerBean(org.springframework.boot.web.embedded.tomcat.TomcatReactiveWebServerFactory.class,
            () -> new org.springframework.boot.web.embedded.tomcat.TomcatReactiveWebServerFactory());
      } else if (server.equals("jetty")) { // WebFlux on Jetty 12's ee10 servlet container
        g.registerBean(org.springframework.boot.web.embedded.jetty.JettyReactiveWebServerFactory.class,
            () -> new org.springframework.boot.web.embedded.jetty.JettyReactiveWebServerFactory());
      } else if (server.equals("undertow")) { // WebFlux on Undertow's own HttpHandler (no servlet)
        g.registerBean(org.springframework.boot.web.embedded.undertow.UndertowReactiveWebServerFactory.class,
            () -> new org.springframework.boot.web.embedded.undertow.UndertowReactiveWebServerFactory());
      } else {
        g.registerBean(NettyReactiveWebServerFactory.class, () -> new NettyReactiveWebServerFactory());
      }
      g.registerBean("routes", RouterFunction.class, () -> routes());
      // /ws: an echo WebSocket (Reactor Netty's, through WebFlux's WebSocketHandler)
      g.registerBean("webSocketMapping", org.springframework.web.reactive.handler.SimpleUrlHandlerMapping.class,
          () -> new org.springframework.web.reactive.handler.SimpleUrlHandlerMapping(
              Map.of("/ws", (org.springframework.web.reactive.socket.WebSocketHandler) session ->
                  session.send(session.receive().map(m -> session.textMessage(m.getPayloadAsText())))), -1));
      // Spring picks its WebSocket upgrade strategy by what is on the class path, and the test class
      // path also has Tomcat: name the running server's, as an application with only that server gets it
      // (on Jetty: the ee10 Jetty WebSocket container that Boot sets up for JettyReactiveWebServerFactory)
      if (!tomcat) g.registerBean("webSocketAdapter", org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter.class, () -> {
        org.springframework.web.reactive.socket.server.RequestUpgradeStrategy strategy = switch (server) {
          case "undertow" -> new org.springframework.web.reactive.socket.server.upgrade.UndertowRequestUpgradeStrategy();
          case "jetty" -> new org.springframework.web.reactive.socket.server.upgrade.JettyRequestUpgradeStrategy();
          default -> new org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy();
        };
        org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter a =
            new org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter(
                new org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService(strategy));
        a.setOrder(0); // ahead of the auto-configured adapter
        return a;
      });
    });
    ReactiveWebServerApplicationContext ctx = (ReactiveWebServerApplicationContext) app.run(args);
    // the web server Boot runs on (e.g. UndertowWebServer, JettyWebServer), named without a request
    System.err.println("it: web server " + ctx.getWebServer().getClass().getName());
    System.out.println("PORT " + ctx.getWebServer().getPort());
    System.out.flush();
  }

  static RouterFunction<ServerResponse> routes() {
    return RouterFunctions.route()
        .GET("/ok", r -> ServerResponse.ok().bodyValue("ok"))
        // the thread that ran the handler (with spring.threads.virtual.enabled on Tomcat or Jetty: a virtual one)
        .GET("/thread", r -> ServerResponse.ok().bodyValue(Thread.currentThread().toString()))
        // on Reactor Netty the agent's key is the connection's (or HTTP/2 stream's) channel
        .GET("/slot", r -> ServerResponse.ok().bodyValue(TrackingKey.describe(
            ServerHttpRequestDecorator.getNativeRequest(r.exchange().getRequest()) instanceof reactor.netty.Connection c
                ? c.channel() : ServerHttpRequestDecorator.getNativeRequest(r.exchange().getRequest()))))
        .POST("/echo", r -> r.bodyToMono(String.class).flatMap(b -> ServerResponse.ok().bodyValue(b)))
        .GET("/code", r -> {
          int c = Integer.parseInt(r.queryParam("c").orElse("500"));
          return ServerResponse.status(c).bodyValue("code " + c);
        })
        .GET("/hold", r -> ServerResponse.ok().body(
            Mono.fromCallable(() -> {
              Gate.await();
              return "held";
            }).subscribeOn(Schedulers.boundedElastic()), String.class))
        .GET("/stream", r -> ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(
            Flux.concat(Mono.just("first"),
                Mono.fromCallable(() -> {
                  Gate.await();
                  return "last";
                }).subscribeOn(Schedulers.boundedElastic())), String.class))
        .GET("/boom", r -> {
          throw new IllegalStateException("boom (expected by the test)");
        })
        // an exception the application handles itself (like an @ExceptionHandler): a plain 500
        .add(RouterFunctions.route()
            .GET("/handled", r -> Mono.error(new IllegalArgumentException("handled (expected by the test)")))
            .onError(IllegalArgumentException.class,
                (e, r) -> ServerResponse.status(HttpStatus.INTERNAL_SERVER_ERROR).bodyValue("handled"))
            .build())
        // an exception carrying its status, resolved by the framework (like an unmapped path)
        .GET("/status-exception", r -> {
          throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "expected by the test");
        })
        // a body that fails after the response was committed
        .GET("/stream-fail", r -> ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(
            Flux.concat(Mono.just("first"),
                Mono.<String>error(new IllegalStateException("mid-stream failure (expected by the test)"))
                    .delaySubscription(Duration.ofMillis(50))), String.class))
        // a long stream the client resets: paced with delayElements, which waits for demand;
        // Flux.interval would fail the stream (OverflowException, an error) whenever a write
        // took longer than one tick on a loaded machine, ending it before the client's reset
        .GET("/abort", r -> ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(
            Flux.range(0, 2000).delayElements(Duration.ofMillis(10)).map(i -> "x".repeat(8192)), String.class))
        // the connection's TLS engine (on Reactor Netty, whose native request is its connection)
        .GET("/tls", r -> ServerResponse.ok().bodyValue(
            (Object) org.springframework.http.server.reactive.ServerHttpRequestDecorator.getNativeRequest(
                r.exchange().getRequest()) instanceof reactor.netty.Connection c
                ? NettyTls.describe(c.channel()) : "engine=unknown"))
        .GET("/release", r -> {
          Gate.release();
          return ServerResponse.ok().bodyValue("released");
        })
        .build();
  }
}
