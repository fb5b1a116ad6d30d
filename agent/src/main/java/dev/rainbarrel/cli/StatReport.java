package dev.rainbarrel.cli;

import dev.rainbarrel.alloc.AllocatorGauges;
import dev.rainbarrel.alloc.AllocatorSource;
import dev.rainbarrel.alloc.AllocatorStats;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelEntry;
import dev.rainbarrel.shm.StandardNames;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything one Barrel file holds, in the shape of {@code stat --json} (and later {@code
 * /stats.json}): {@code pid}, {@code file}, {@code counters}, {@code listeners}, {@code
 * histograms}, {@code allocators}. Empty sections are empty objects. {@code allocators} holds
 * {@code barrel_slots} (read from the file itself) and every allocator the process's agent
 * published as {@code allocator.*} gauges (name → capacity, used, free, allocations, frees,
 * failures, discarded, liveProcesses, reclaimed, unitBytes).
 */
public final class StatReport {
  private final long pid;
  private final String file;
  private final Map<String, Long> counters = new LinkedHashMap<>();
  private final Map<String, Map<String, Long>> listeners = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> histograms = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> allocators = new LinkedHashMap<>();

  private StatReport(long pid, String file) {
    this.pid = pid;
    this.file = file;
  }

  /** Reads a report from an open Barrel (read-only or not). */
  public static StatReport of(Barrel barrel) throws IOException {
    StatReport r = new StatReport(barrel.creatorPid(), barrel.path().toString());
    for (BarrelEntry e : barrel.entries()) {
      if (!e.label().isEmpty() && AllocatorGauges.isAllocatorGauge(e.name())) {
        continue; // listed under allocators below
      }
      if (!e.label().isEmpty() && StandardNames.isListenerStat(e.name())) {
        Map<String, Long> l = r.listeners.computeIfAbsent(e.label(), k -> newListener());
        l.put(e.name(), e.value());
      } else {
        r.counters.put(e.label().isEmpty() ? e.name() : e.name() + "{" + e.label() + "}", e.value());
      }
    }
    barrel.histogramSnapshots().forEach((name, h) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("count", h.count());
      m.put("min", h.min());
      m.put("max", h.max());
      m.put("mean", h.mean());
      m.put("stddev", h.stddev());
      m.put("p50", h.p50());
      m.put("p90", h.p90());
      m.put("p99", h.p99());
      r.histograms.put(name, m);
    });
    AllocatorStats.Snapshot st = AllocatorSource.barrelSlots(barrel).stats();
    Map<String, Object> slots = new LinkedHashMap<>();
    slots.put("capacity", st.capacity());
    slots.put("used", st.used());
    slots.put("free", st.free());
    r.allocators.put(AllocatorSource.BARREL_SLOTS, slots);
    // Every Arena, Pool and NumberFile of the process, as its agent last published them.
    AllocatorGauges.read(barrel).forEach((name, figures) -> r.allocators.put(name, new LinkedHashMap<>(figures)));
    return r;
  }

  private static Map<String, Long> newListener() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put(StandardNames.ACTIVE, 0L);
    m.put(StandardNames.QUEUED, 0L);
    // no backlog until the watcher wrote one: it is unknown where /proc is the source (JDK 17-21)
    return m;
  }

  /** The report as one JSON object. */
  public String toJson() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("pid", pid);
    o.put("file", file);
    Map<String, Object> c = new LinkedHashMap<>();
    counters.forEach((k, v) -> c.put(k, new Json.Unsigned(v)));
    o.put("counters", c);
    Map<String, Object> l = new LinkedHashMap<>();
    listeners.forEach((addr, m) -> {
      Map<String, Object> x = new LinkedHashMap<>();
      m.forEach((k, v) -> x.put(k, new Json.Unsigned(v)));
      x.putIfAbsent(StandardNames.BACKLOG, null); // unknown: null, as `listen --json` has it
      l.put(addr, x);
    });
    o.put("listeners", l);
    o.put("histograms", histograms);
    o.put("allocators", allocators);
    return Json.write(o);
  }

  /** The report as aligned text for people. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append("file: ").append(file).append(" (pid ").append(pid).append(")\n");
    sb.append("counters:\n");
    if (counters.isEmpty()) {
      sb.append("  (none)\n");
    }
    int w = counters.keySet().stream().mapToInt(String::length).max().orElse(0);
    counters.forEach((k, v) ->
        sb.append("  ").append(pad(k, w)).append("  ").append(Long.toUnsignedString(v)).append('\n'));
    sb.append("listeners:\n");
    if (listeners.isEmpty()) {
      sb.append("  (none)\n");
    }
    int aw = listeners.keySet().stream().mapToInt(String::length).max().orElse(0);
    listeners.forEach((addr, m) -> sb.append("  ").append(pad(addr, aw))
        .append("  active ").append(Long.toUnsignedString(m.get(StandardNames.ACTIVE)))
        .append("  queued ").append(Long.toUnsignedString(m.get(StandardNames.QUEUED)))
        .append("  backlog ").append(m.containsKey(StandardNames.BACKLOG)
            ? Long.toUnsignedString(m.get(StandardNames.BACKLOG)) : "?").append('\n'));
    if (!histograms.isEmpty()) {
      sb.append("histograms:\n");
      histograms.forEach((name, h) -> {
        sb.append("  ").append(name);
        h.forEach((k, v) -> sb.append("  ").append(k).append(' ')
            .append(v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.1f", d) : v));
        sb.append('\n');
      });
    }
    sb.append("allocators:\n");
    allocators.forEach((name, a) -> {
      sb.append("  ").append(name);
      a.forEach((k, v) -> sb.append("  ").append(k).append(' ').append(v));
      sb.append('\n');
    });
    return sb.toString();
  }

  /** Counters (gauges summed) by name; labelled ones as {@code name{label}}. */
  public Map<String, Long> counters() {
    return counters;
  }

  /** Listener figures by address. */
  public Map<String, Map<String, Long>> listeners() {
    return listeners;
  }

  /** Histogram statistics by name (filled by the histogram readers). */
  public Map<String, Map<String, Object>> histograms() {
    return histograms;
  }

  /** Allocator statistics by name. */
  public Map<String, Map<String, Object>> allocators() {
    return allocators;
  }

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }
}
