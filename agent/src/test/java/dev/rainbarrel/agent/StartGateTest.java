package dev.rainbarrel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StartGateTest {

  private static byte[] load(StartGate g, String internalName) {
    return g.transform(null, null, internalName, null, null, new byte[0]);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void holdsListenerClassesUntilOpenAndLetsEverythingElseThrough() throws Exception {
    FakeInstrumentation fake = new FakeInstrumentation(() -> new Class<?>[0]);
    StartGate gate = StartGate.register(fake.instrumentation());
    // the retransformation-capable environment is created first, then the gate joins as incapable
    assertEquals(List.of("add true", "remove", "add false"), fake.calls);

    assertNull(load(gate, "org/example/Anything"), "other classes pass at once");
    CompletableFuture<byte[]> held = new CompletableFuture<>();
    Thread loader = new Thread(() -> held.complete(load(gate, "sun/nio/ch/ServerSocketChannelImpl")), "host-main");
    loader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (loader.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(Thread.State.TIMED_WAITING, loader.getState(), "the loading thread waits at the gate");
    try {
      held.get(200, TimeUnit.MILLISECONDS);
      throw new AssertionError("the listener class loaded while the gate was closed");
    } catch (TimeoutException expected) {
      // still held
    }
    gate.open();
    assertNull(held.get(10, TimeUnit.SECONDS), "the gate never changes the class");
    assertTrue(gate.heldMillis() >= 200, "the wait is accounted: " + gate.heldMillis());
    assertFalse(fake.registered.contains(gate), "an open gate unregisters itself");
    gate.open(); // idempotent
    assertNull(load(gate, "sun/nio/ch/NioSocketImpl"), "after open nothing waits");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void theStartThreadAndRetransformationsPass() throws Exception {
    FakeInstrumentation fake = new FakeInstrumentation(() -> new Class<?>[0]);
    StartGate gate = StartGate.register(fake.instrumentation());
    CompletableFuture<byte[]> own = new CompletableFuture<>();
    Thread starter = new Thread(() -> own.complete(load(gate, "sun/nio/ch/ServerSocketChannelImpl")), "rainbarrel-start");
    gate.passing(starter);
    starter.start();
    assertNull(own.get(10, TimeUnit.SECONDS), "the agent's own endpoints may listen before the gate opens");
    // a retransformation (class already defined) is never held
    assertNull(gate.transform(null, null, "sun/nio/ch/ServerSocketChannelImpl", String.class, null, new byte[0]));
    gate.open();
  }
}
