package dev.rainbarrel.agent.instrumentation.webflux;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Spring WebFlux's {@code WebExceptionHandler.handle(ServerWebExchange, Throwable)}
 * implementations (Spring Boot's {@code ErrorWebExceptionHandler}, Spring's {@code
 * WebFluxResponseStatusExceptionHandler}, ...): the point where an exception that no handler,
 * {@code @ExceptionHandler} or router {@code onError} dealt with reaches the web-exception layer,
 * which turns it into an ordinary error response. On Reactor Netty the codec hooks see only that
 * response; this hook marks the request on the exchange's channel so that it ends as an error.
 *
 * <p>Why this point: {@code ExceptionHandlingWebHandler} calls the handlers in order only for an
 * error that escaped the {@code DispatcherHandler}, i.e. after {@code @ExceptionHandler} methods
 * and router filters had their chance, and every failed exchange reaches at least the first
 * handler (Boot's, or Spring's response-status handler, which {@code @EnableWebFlux} always
 * registers). A handler that declines passes the error to the next one: marking is idempotent,
 * so that still counts once. Handlers written as lambdas are not woven (hidden classes).
 */
public final class WebFluxErrorInstrumentation implements TypeInstrumentation {

  static final String HANDLER = "org.springframework.web.server.WebExceptionHandler";

  @Override
  public String server() {
    return "netty"; // the request key is Reactor Netty's channel, tracked by the Netty codec hooks
  }

  @Override
  public String requiredClass() {
    return HANDLER;
  }

  @Override
  public Set<String> superTypes() {
    return Set.of(HANDLER);
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(
        MethodMatch.named("handle", 2)
            .withArgument(0, "org.springframework.web.server.ServerWebExchange")
            .withArgument(1, "java.lang.Throwable"),
        "dev.rainbarrel.agent.instrumentation.webflux.WebFluxErrorAdvice"));
  }
}
