package dev.rainbarrel.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rainbarrel.agent.instrumentation.undertow.UndertowAdvice;
import io.undertow.server.HttpServerExchange;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Undertow hooks against the real bridge, for the order a server run rarely shows: Undertow
 * running an exchange's completion listeners inside its handler frame before the exchange is
 * complete (its error paths do; they never run them again). The end must come then, not at the
 * frame's exit, which waits for a complete exchange. Shares {@link BridgeTest}'s sink.
 */
class UndertowCompletionTest {

  @BeforeAll
  static void install() {
    Bridge.install(BridgeTest.SINK); // or BridgeTest already did: the sink is the same
  }

  @Test
  void listenersRunBeforeTheExchangeIsCompleteEndItAtOnce() {
    BridgeTest.CountingSink sink = BridgeTest.SINK;
    HttpServerExchange exchange = new HttpServerExchange(null);
    exchange.setStatusCode(404);
    long completed = sink.completed.get();

    UndertowAdvice.RootHandler.enter(exchange); // the handler frame
    UndertowAdvice.StartResponse.exit(exchange); // headers sent
    assertEquals(1, sink.calling.get());
    assertEquals(1, sink.writing.get());
    assertFalse(exchange.isComplete());
    UndertowAdvice.Complete.enter(exchange); // listeners, early
    assertEquals(completed + 1, sink.completed.get(), "ended when its listeners ran");
    assertEquals(404, sink.lastStatus.get());
    assertEquals(0, sink.writing.get());

    UndertowAdvice.RootHandler.exit(exchange); // the frame's exit ends nothing more
    assertEquals(completed + 1, sink.completed.get());
    assertEquals(0, sink.calling.get());
  }
}
