package dev.rainbarrel.agent.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.agent.FakeInstrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadedCandidatesTest {

  /** Stand-ins for application classes (loaded by the app loader, outside the ignored prefixes). */
  static final class AppA {}

  static final class AppB {}

  @Test
  void dropsJdkAndAgentClassesButKeepsTheHookedJdkClassesAndApplicationClasses() throws Exception {
    assertFalse(LoadedCandidates.isCandidate(String.class));
    assertFalse(LoadedCandidates.isCandidate(int.class));
    assertFalse(LoadedCandidates.isCandidate(String[].class));
    assertFalse(LoadedCandidates.isCandidate(LoadedCandidates.class), "the agent's own classes");
    assertTrue(LoadedCandidates.isCandidate(Class.forName("sun.nio.ch.ServerSocketChannelImpl")), "a hooked JDK class");
    assertFalse(LoadedCandidates.isCandidate(java.sql.Connection.class), "a platform-loader class");
    assertTrue(LoadedCandidates.isCandidate(Test.class), "an application (app loader) class");
  }

  @Test
  void reQueriesUntilNoNewCandidateAppears() {
    // dev.rainbarrel.* is ignored by name, so the batches are made of hooked JDK classes here
    Class<?> ssc = load("sun.nio.ch.ServerSocketChannelImpl");
    Class<?> nio = load("sun.nio.ch.NioSocketImpl");
    AtomicInteger queries = new AtomicInteger();
    FakeInstrumentation fake = new FakeInstrumentation(() -> switch (queries.incrementAndGet()) {
      case 1 -> new Class<?>[] {String.class, ssc};
      case 2 -> new Class<?>[] {String.class, ssc, nio}; // loaded while the first batch was transformed
      default -> new Class<?>[] {String.class, ssc, nio};
    });
    List<List<Class<?>>> batches = new ArrayList<>();
    for (Iterable<Class<?>> batch : new LoadedCandidates().resolve(fake.instrumentation())) {
      List<Class<?>> b = new ArrayList<>();
      batch.forEach(b::add);
      batches.add(b);
    }
    assertEquals(List.of(List.of(ssc), List.of(nio)), batches);
    assertEquals(3, queries.get(), "stops at the first query with nothing new");
  }

  @Test
  void reQueryingIsBounded() {
    // application classes (JUnit's, from the app loader): a new one appears on every query
    Class<?>[] pool = {org.junit.jupiter.api.Test.class, org.junit.jupiter.api.Assertions.class,
        org.junit.jupiter.api.Timeout.class, org.junit.jupiter.api.Disabled.class,
        org.junit.jupiter.api.Tag.class, org.junit.jupiter.api.Nested.class,
        org.junit.jupiter.api.DisplayName.class, org.junit.jupiter.api.BeforeEach.class,
        org.junit.jupiter.api.AfterEach.class, org.junit.jupiter.api.BeforeAll.class,
        org.junit.jupiter.api.AfterAll.class, org.junit.jupiter.api.RepeatedTest.class};
    assertTrue(pool.length > LoadedCandidates.MAX_ROUNDS);
    AtomicInteger n = new AtomicInteger();
    FakeInstrumentation fake = new FakeInstrumentation(
        () -> java.util.Arrays.copyOf(pool, Math.min(pool.length, n.incrementAndGet())));
    int rounds = 0;
    for (Iterable<Class<?>> batch : new LoadedCandidates().resolve(fake.instrumentation())) {
      rounds++;
      assertEquals(1, ((List<?>) batch).size(), "one new class per query");
    }
    assertEquals(LoadedCandidates.MAX_ROUNDS, rounds, "gives up after MAX_ROUNDS queries");
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }
}
