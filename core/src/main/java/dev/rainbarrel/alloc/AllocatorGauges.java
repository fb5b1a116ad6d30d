package dev.rainbarrel.alloc;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelEntry;
import dev.rainbarrel.shm.Gauge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Copies allocator figures into a Barrel so that another process ({@code rainbarrel stat}) can
 * read them: each allocator is a set of ordinary gauges of this process, named {@code
 * allocator.<figure>} and labelled with the allocator's name, e.g. gauge {@code
 * allocator.capacity} label {@code arena:sessions.arena}. No format change: the records are
 * gauges like any other, so they disappear when the process closes the Barrel and are reclaimed
 * when it dies. In a Barrel shared by several processes, same-named allocators of different
 * processes are summed (as every gauge is).
 *
 * <p>{@link #publish} is called periodically by one thread (the agent's); {@link #read} is the
 * reader's side.
 */
public final class AllocatorGauges {

  /** Prefix of every allocator gauge name. */
  public static final String PREFIX = "allocator.";
  /** The figures published, in this order (the keys of {@link AllocatorStats.Snapshot#toMap()} that are numbers). */
  public static final List<String> FIGURES = List.of("capacity", "used", "free", "allocations", "frees",
      "failures", "discarded", "liveProcesses", "reclaimed", "unitBytes");

  private static final int LABEL_MAX = 128;

  private final Barrel barrel;
  /** Label → gauges (in {@link #FIGURES} order) published so far. */
  private final Map<String, Gauge[]> published = new HashMap<>();

  /** A publisher into {@code barrel} (writable). */
  public AllocatorGauges(Barrel barrel) {
    this.barrel = barrel;
  }

  /**
   * Sets the gauges of every allocator in {@code sources} and removes those of allocators no
   * longer listed. Not thread-safe: one publishing thread.
   */
  public void publish(List<AllocatorSource> sources) {
    Set<String> seen = new HashSet<>();
    for (AllocatorSource s : sources) {
      String label = label(s.name());
      if (!seen.add(label)) {
        continue;
      }
      Map<String, Object> m = s.stats().toMap();
      Gauge[] g = published.computeIfAbsent(label, l -> {
        Gauge[] a = new Gauge[FIGURES.size()];
        for (int i = 0; i < a.length; i++) {
          a[i] = barrel.gauge(PREFIX + FIGURES.get(i), l);
        }
        return a;
      });
      for (int i = 0; i < g.length; i++) {
        Object v = m.get(FIGURES.get(i));
        g[i].set(v instanceof Number n ? n.longValue() : 0);
      }
    }
    published.keySet().removeIf(label -> {
      if (seen.contains(label)) {
        return false;
      }
      for (String f : FIGURES) {
        barrel.removeGauge(PREFIX + f, label);
      }
      return true;
    });
  }

  /** The labels (allocator names) published now. */
  public Set<String> publishedNames() {
    return new HashSet<>(published.keySet());
  }

  /** True for a gauge name written by {@link #publish}. */
  public static boolean isAllocatorGauge(String name) {
    return name.startsWith(PREFIX) && FIGURES.contains(name.substring(PREFIX.length()));
  }

  /**
   * The allocators published in {@code barrel}: name → figure → value (summed over live
   * processes), figures in {@link #FIGURES} order, names in file order.
   */
  public static Map<String, Map<String, Long>> read(Barrel barrel) throws IOException {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    for (BarrelEntry e : barrel.entries()) {
      if (!e.label().isEmpty() && isAllocatorGauge(e.name())) {
        out.computeIfAbsent(e.label(), k -> {
          Map<String, Long> m = new LinkedHashMap<>();
          FIGURES.forEach(f -> m.put(f, 0L));
          return m;
        }).put(e.name().substring(PREFIX.length()), e.value());
      }
    }
    return out;
  }

  /** The name as a label: cut (at a character boundary) to the Barrel's 128-byte label limit. */
  static String label(String name) {
    if (name.getBytes(StandardCharsets.UTF_8).length <= LABEL_MAX) {
      return name;
    }
    StringBuilder sb = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + n > LABEL_MAX) {
        break;
      }
      sb.appendCodePoint(cp);
      bytes += n;
      i += Character.charCount(cp);
    }
    return sb.toString();
  }
}
