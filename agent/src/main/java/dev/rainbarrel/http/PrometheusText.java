package dev.rainbarrel.http;

import dev.rainbarrel.shm.BarrelEntry;
import dev.rainbarrel.shm.StandardNames;
import dev.rainbarrel.stats.HistogramLayout;
import dev.rainbarrel.stats.HistogramSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a Barrel's figures in the Prometheus text exposition format 0.0.4 or in OpenMetrics
 * 1.0.0 text.
 *
 * <ul>
 *   <li>every metric is {@code rainbarrel_<name>}, the name sanitised to {@code [a-zA-Z0-9_:]};</li>
 *   <li>Barrel counters are {@code counter}s: in 0.0.4 the family and sample are
 *       {@code rainbarrel_<name>_total}; in OpenMetrics the family is {@code rainbarrel_<name>} and
 *       the sample {@code rainbarrel_<name>_total}, as each format requires;</li>
 *   <li>gauges ({@code calling}, {@code writing}, per-listener {@code active}, {@code queued},
 *       {@code backlog} with label {@code address}, and any other Barrel gauge) are {@code gauge}s;
 *       the {@code allocator.*} gauges carry the allocator's name as {@code allocator}, other
 *       labelled slots their label as {@code label};</li>
 *   <li>histogram blocks are {@code histogram}s: cumulative {@code _bucket} series with an
 *       {@code le} at every power-of-two boundary {@code 2^e - 1} (a fixed skeleton, so series are
 *       stable across scrapes) and at the upper bound of every non-empty bucket (resolution of the
 *       log-linear layout, 3.125 % by default), then {@code +Inf}, {@code _sum}, {@code _count}.
 *       Bucket bounds are inclusive integers, so each cumulative count is exact;</li>
 *   <li>the Barrel's slot allocator as gauges {@code rainbarrel_barrel_slots_used} and
 *       {@code rainbarrel_barrel_slots_capacity}.</li>
 * </ul>
 *
 * A name that would collide with an earlier family after sanitising is skipped rather than
 * producing an invalid exposition.
 */
final class PrometheusText {
  private PrometheusText() {}

  /** Content type of the 0.0.4 text format. */
  static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** Content type of OpenMetrics text. */
  static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private enum Type {
    COUNTER("counter"),
    GAUGE("gauge"),
    HISTOGRAM("histogram");

    final String word;

    Type(String word) {
      this.word = word;
    }
  }

  private static final class Family {
    final String name;
    final Type type;
    final String help;
    final List<String> lines = new ArrayList<>();
    final java.util.Set<String> labelSets = new java.util.HashSet<>();

    Family(String name, Type type, String help) {
      this.name = name;
      this.type = type;
      this.help = help;
    }
  }

  /** True when an {@code Accept} header asks for OpenMetrics. */
  static boolean wantsOpenMetrics(String accept) {
    if (accept == null) {
      return false;
    }
    for (String part : accept.split(",")) {
      String p = part.trim().toLowerCase(java.util.Locale.ROOT);
      if (p.startsWith("application/openmetrics-text") && !p.replace(" ", "").contains(";q=0;")
          && !p.replace(" ", "").endsWith(";q=0")) {
        return true;
      }
    }
    return false;
  }

  static String render(List<BarrelEntry> entries, Map<String, HistogramSnapshot> histograms,
      int slotsUsed, int slotCapacity, boolean openMetrics) {
    Map<String, Family> families = new LinkedHashMap<>();
    java.util.Set<String> taken = new java.util.HashSet<>();
    for (BarrelEntry e : entries) {
      String base = "rainbarrel_" + sanitize(e.name());
      boolean listener = !e.label().isEmpty() && StandardNames.isListenerStat(e.name());
      boolean gauge = listener || e.kind() == BarrelEntry.Kind.GAUGE
          || StandardNames.CALLING.equals(e.name()) || StandardNames.WRITING.equals(e.name());
      String labelName = listener ? "address"
          : e.name().startsWith(dev.rainbarrel.alloc.AllocatorGauges.PREFIX) ? "allocator" : "label";
      String labels = e.label().isEmpty() ? ""
          : "{" + labelName + "=\"" + labelValue(e.label()) + "\"}";
      if (gauge) {
        Family f = family(families, taken, base, Type.GAUGE, help(e.name(), listener));
        if (f != null && f.labelSets.add(labels)) {
          f.lines.add(base + labels + " " + e.value());
        }
      } else {
        String stem = base.endsWith("_total") ? base.substring(0, base.length() - 6) : base;
        String sample = stem + "_total";
        Family f = family(families, taken, openMetrics ? stem : sample, Type.COUNTER, help(e.name(), false));
        if (f != null && f.labelSets.add(labels)) {
          f.lines.add(sample + labels + " " + Long.toUnsignedString(e.value()));
        }
      }
    }
    for (Map.Entry<String, HistogramSnapshot> h : histograms.entrySet()) {
      String base = "rainbarrel_" + sanitize(h.getKey());
      Family f = family(families, taken, base, Type.HISTOGRAM, help(h.getKey(), false));
      if (f != null) {
        histogramLines(f, h.getValue(), openMetrics);
      }
    }
    Family used = family(families, taken, "rainbarrel_barrel_slots_used", Type.GAUGE,
        "Counter and gauge slots allocated in the Barrel file.");
    if (used != null) {
      used.lines.add("rainbarrel_barrel_slots_used " + slotsUsed);
    }
    Family cap = family(families, taken, "rainbarrel_barrel_slots_capacity", Type.GAUGE,
        "Counter and gauge slots the Barrel file holds now (it grows when full).");
    if (cap != null) {
      cap.lines.add("rainbarrel_barrel_slots_capacity " + slotCapacity);
    }

    StringBuilder sb = new StringBuilder(4096);
    for (Family f : families.values()) {
      sb.append("# HELP ").append(f.name).append(' ').append(helpText(f.help)).append('\n');
      sb.append("# TYPE ").append(f.name).append(' ').append(f.type.word).append('\n');
      for (String l : f.lines) {
        sb.append(l).append('\n');
      }
    }
    if (openMetrics) {
      sb.append("# EOF\n");
    }
    return sb.toString();
  }

  private static void histogramLines(Family f, HistogramSnapshot s, boolean openMetrics) {
    HistogramLayout layout = s.layout();
    int overflow = layout.overflowIndex();
    long cumulative = 0;
    for (int i = 0; i < overflow; i++) {
      long c = s.countAt(i);
      cumulative += c;
      long upper = layout.upperBound(i);
      boolean skeleton = ((upper + 1) & upper) == 0;
      if (c != 0 || skeleton) {
        f.lines.add(f.name + "_bucket{le=\"" + upper + (openMetrics ? ".0" : "") + "\"} " + cumulative);
      }
    }
    long total = s.count();
    f.lines.add(f.name + "_bucket{le=\"+Inf\"} " + total);
    f.lines.add(f.name + "_sum " + Long.toUnsignedString(s.sum()));
    f.lines.add(f.name + "_count " + total);
  }

  /** Creates the family, or returns the existing one of the same type; null when the name is taken otherwise. */
  private static Family family(Map<String, Family> families, java.util.Set<String> taken, String name,
      Type type, String help) {
    Family f = families.get(name);
    if (f != null) {
      return f.type == type ? f : null;
    }
    List<String> sampleNames = switch (type) {
      case COUNTER -> List.of(name.endsWith("_total") ? name : name + "_total", name);
      case GAUGE -> List.of(name);
      case HISTOGRAM -> List.of(name, name + "_bucket", name + "_sum", name + "_count");
    };
    for (String n : sampleNames) {
      if (taken.contains(n)) {
        return null;
      }
    }
    taken.addAll(sampleNames);
    f = new Family(name, type, help);
    families.put(name, f);
    return f;
  }

  static String sanitize(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  private static String labelValue(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String helpText(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String help(String name, boolean listener) {
    if (listener) {
      return switch (name) {
        case StandardNames.ACTIVE -> "Connections accepted and still established on the listener (raindrops active).";
        case StandardNames.QUEUED -> "Connections waiting in the listener's accept queue (raindrops queued).";
        default -> "The listener's accept-queue limit (backlog).";
      };
    }
    return switch (name) {
      case StandardNames.CALLING -> "Requests inside a handler now.";
      case StandardNames.WRITING -> "Responses committed and not yet complete.";
      case StandardNames.REQUESTS -> "Completed requests.";
      case StandardNames.ACCEPTED -> "Connections accepted.";
      case StandardNames.ERRORS -> "Requests that ended with an exception or an aborted response.";
      case StandardNames.LISTEN_OVERFLOWS -> "Host TcpExt ListenOverflows (accept queue full).";
      case StandardNames.LISTEN_DROPS -> "Host TcpExt ListenDrops.";
      case StandardNames.REQUEST_DURATION -> "Request durations in microseconds.";
      case StandardNames.ACCEPT_WAIT -> "Milliseconds connections waited in the accept queue (tcp_info last_data_recv).";
      default -> name.startsWith("responses_") ? "Responses with status " + name.substring(10) + "."
          : "rainbarrel figure '" + name + "'.";
    };
  }
}
