package dev.rainbarrel.it;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** Reads a child's Barrel file (read-only, like the CLI) and waits, bounded, for conditions. */
public final class Counters {

  private final Path file;

  public Counters(Path file) {
    this.file = file;
  }

  /**
   * name → value (gauges: sum over live owners; histograms as {@code <name>.count}); empty before
   * the agent created the file.
   */
  public Map<String, Long> read() throws IOException {
    Map<String, Long> m = new LinkedHashMap<>();
    if (!Files.exists(file) || Files.size(file) == 0) {
      return m;
    }
    try (Barrel b = Barrel.openReadOnly(file)) {
      for (BarrelEntry e : b.entries()) {
        if (e.label().isEmpty()) {
          m.merge(e.name(), e.value(), Long::sum);
        }
      }
      b.histogramSnapshots().forEach((name, h) -> m.put(name + ".count", h.count()));
    }
    return m;
  }

  /** Whether the file has an entry {@code name} labelled {@code label} (e.g. a listener's gauge). */
  public boolean hasLabelled(String name, String label) throws IOException {
    if (!Files.exists(file) || Files.size(file) == 0) {
      return false;
    }
    try (Barrel b = Barrel.openReadOnly(file)) {
      for (BarrelEntry e : b.entries()) {
        if (e.name().equals(name) && e.label().equals(label)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Polls every 100 ms until {@link #hasLabelled} holds (at most {@code millis}); whether it did.
   */
  public boolean awaitLabelled(String name, String label, long millis) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    boolean found = hasLabelled(name, label);
    while (!found && System.nanoTime() < deadline) {
      Thread.sleep(100);
      found = hasLabelled(name, label);
    }
    return found;
  }

  /** One counter (0 when absent). */
  public long get(String name) throws IOException {
    return read().getOrDefault(name, 0L);
  }

  /**
   * Polls every 20 ms until {@code condition} holds (at most {@code millis}); returns the last
   * snapshot either way, so the caller's assertion shows the actual values.
   */
  public Map<String, Long> await(Predicate<Map<String, Long>> condition, long millis)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    Map<String, Long> m = read();
    while (!condition.test(m) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      m = read();
    }
    return m;
  }

  /** Snapshot difference: after minus before, per name. */
  public static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
    return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
  }
}
