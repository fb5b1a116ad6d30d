package dev.rainbarrel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.arena.Arena;
import dev.rainbarrel.cli.Main;
import dev.rainbarrel.cli.StatReport;
import dev.rainbarrel.iobuf.Pool;
import dev.rainbarrel.shm.Barrel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Allocators the application opens reach {@code stat --json} through the agent's Barrel. */
@Timeout(60)
class AllocatorPublisherTest {

  @TempDir Path dir;

  private static Map<String, Map<String, Object>> awaitAllocators(Path file,
      Predicate<Map<String, Map<String, Object>>> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Map<String, Map<String, Object>> a;
    do {
      try (Barrel reader = Barrel.openReadOnly(file)) {
        a = StatReport.of(reader).allocators();
      }
      if (done.test(a)) {
        return a;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("not reached within 20 s: " + a);
  }

  @Test
  void anArenaOpenedByTheApplicationAppearsInStatJsonAndLeavesWhenClosed() throws Exception {
    Path file = dir.resolve("agent.barrel");
    try (Barrel barrel = Barrel.open(file);
        AllocatorPublisher publisher = AllocatorPublisher.start(barrel, Duration.ofMillis(100))) {
      Arena arena = Arena.open(dir.resolve("stat.arena"), Arena.Options.defaults().capacity(1 << 16));
      Pool pool = new Pool("stat-pool", 0, 1 << 20, false, System.err::println);
      try {
        arena.allocate(500);
        arena.allocate(500);
        long capacity = arena.capacity() - arena.dataOffset();
        Map<String, Map<String, Object>> a = awaitAllocators(file,
            m -> m.containsKey("arena:stat.arena") && m.get("arena:stat.arena").get("allocations").equals(2L)
                // a gauge registered in the middle of a round reads 0 until the round sets it
                && m.containsKey("stat-pool") && m.get("stat-pool").get("capacity").equals((long) (1 << 20)));
        Map<String, Object> figures = a.get("arena:stat.arena");
        assertEquals(capacity, figures.get("capacity"));
        assertEquals(arena.statsSnapshot().used(), figures.get("used"));
        assertEquals(1L, figures.get("liveProcesses"));
        assertEquals((long) (1 << 20), a.get("stat-pool").get("capacity"));
        assertTrue(a.containsKey("barrel_slots"));

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"stat", "--json", file.toString()}, new PrintWriter(out, true),
            new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        String json = out.toString();
        assertTrue(json.contains("\"arena:stat.arena\":{\"capacity\":" + capacity + ",\"used\":"), json);
        assertFalse(json.contains("allocator.capacity"), "allocator gauges are not listed as counters: " + json);
      } finally {
        arena.close();
        pool.close();
      }
      Map<String, Map<String, Object>> after = awaitAllocators(file,
          m -> !m.containsKey("arena:stat.arena") && !m.containsKey("stat-pool"));
      assertTrue(after.containsKey("barrel_slots"), after.toString());
    }
  }
}
