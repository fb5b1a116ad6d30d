package dev.rainbarrel.http;

import dev.rainbarrel.shm.BarrelEntry;
import dev.rainbarrel.shm.StandardNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /_raindrops}, byte for byte what raindrops' {@code Raindrops::Middleware}
 * prints:
 *
 * <pre>
 * calling: N
 * writing: N
 * &lt;addr&gt; active: N        (for each TCP listener, then each Unix listener)
 * &lt;addr&gt; queued: N
 * </pre>
 *
 * Figures come from the Barrel's entries: the {@code calling}/{@code writing} gauges (summed over
 * live owners) and the {@code active}/{@code queued} slots labelled with a listener address. TCP
 * listeners come first, then Unix paths (labels starting with {@code /} or {@code @}), each group in
 * the order the listeners were registered in the file.
 */
final class RaindropsText {
  private RaindropsText() {}

  static String render(List<BarrelEntry> entries) {
    long calling = 0;
    long writing = 0;
    Map<String, long[]> tcp = new LinkedHashMap<>();
    Map<String, long[]> unix = new LinkedHashMap<>();
    for (BarrelEntry e : entries) {
      if (e.label().isEmpty()) {
        if (StandardNames.CALLING.equals(e.name())) {
          calling += e.value();
        } else if (StandardNames.WRITING.equals(e.name())) {
          writing += e.value();
        }
        continue;
      }
      boolean active = StandardNames.ACTIVE.equals(e.name());
      if (!active && !StandardNames.QUEUED.equals(e.name())) {
        continue;
      }
      Map<String, long[]> group = isUnix(e.label()) ? unix : tcp;
      long[] v = group.computeIfAbsent(e.label(), k -> new long[2]);
      v[active ? 0 : 1] += e.value();
    }
    StringBuilder sb = new StringBuilder(64 + 64 * (tcp.size() + unix.size()));
    sb.append("calling: ").append(number(calling)).append('\n');
    sb.append("writing: ").append(number(writing)).append('\n');
    List<Map.Entry<String, long[]>> all = new ArrayList<>(tcp.entrySet());
    all.addAll(unix.entrySet());
    for (Map.Entry<String, long[]> l : all) {
      sb.append(l.getKey()).append(" active: ").append(number(l.getValue()[0])).append('\n');
      sb.append(l.getKey()).append(" queued: ").append(number(l.getValue()[1])).append('\n');
    }
    return sb.toString();
  }

  static boolean isUnix(String address) {
    return address.startsWith("/") || address.startsWith("@");
  }

  // raindrops' figures are unsigned machine words; a gauge sum is never negative in practice.
  private static String number(long v) {
    return Long.toUnsignedString(v);
  }
}
