package dev.rainbarrel.agent.instrumentation.webflux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;

/**
 * Which exceptions reaching WebFlux's web-exception layer are handler failures, and the channel
 * lookup's answer for native requests that are not Reactor Netty's (the Reactor Netty case is
 * covered end to end by {@code ServersIT.springBoot3WebFlux}).
 */
class WebFluxErrorAdviceTest {

  @ResponseStatus(HttpStatus.CONFLICT)
  static class Annotated extends RuntimeException {}

  static class SubclassOfAnnotated extends Annotated {}

  @Test
  void handlerFailuresAreErrors() {
    assertFalse(WebFluxErrorAdvice.carriesStatus(new IllegalStateException("boom")));
    assertFalse(WebFluxErrorAdvice.carriesStatus(new OutOfMemoryError("boom")));
    assertFalse(WebFluxErrorAdvice.carriesStatus(new RuntimeException(new ResponseStatusException(HttpStatus.NOT_FOUND))),
        "only the exception's own type decides, as Boot's error attributes do");
  }

  @Test
  void exceptionsThatCarryTheirStatusAreNot() {
    assertTrue(WebFluxErrorAdvice.carriesStatus(new ResponseStatusException(HttpStatus.NOT_FOUND)), "unmapped path");
    assertTrue(WebFluxErrorAdvice.carriesStatus(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE)));
    assertTrue(WebFluxErrorAdvice.carriesStatus(new ServerWebInputException("bad")), "a subclass");
    assertTrue(WebFluxErrorAdvice.carriesStatus(new ErrorResponseException(HttpStatus.BAD_REQUEST)),
        "an ErrorResponse that is no ResponseStatusException");
    assertTrue(WebFluxErrorAdvice.carriesStatus(new Annotated()));
    assertTrue(WebFluxErrorAdvice.carriesStatus(new SubclassOfAnnotated()), "@ResponseStatus on a super class");
  }

  @Test
  void nativeRequestsOfOtherServersHaveNoChannel() throws Exception {
    assertNull(WebFluxErrorAdvice.channelOf(null));
    assertNull(WebFluxErrorAdvice.channelOf("a servlet request, say"));
    assertNull(WebFluxErrorAdvice.channelOf(new Object()), "a second class replaces the cached lookup");
  }
}
