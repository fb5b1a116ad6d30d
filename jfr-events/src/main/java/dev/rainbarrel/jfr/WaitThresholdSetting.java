package dev.rainbarrel.jfr;

import java.util.Locale;
import java.util.Set;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MetadataDefinition;
import jdk.jfr.Name;
import jdk.jfr.SettingControl;
import jdk.jfr.Timespan;

/**
 * The {@code waitThreshold} setting of {@link AcceptWaitEvent}: a duration written like JFR's own
 * ({@code 0 ms}, {@code 20 ms}, {@code 1 s}); several recordings combine to the smallest. An
 * unreadable value counts as {@code 0 ms} (JFR settings must not throw).
 */
@Name("rainbarrel.settings.WaitThreshold")
@Label("Wait Threshold")
@Description("Smallest accept wait to record")
@MetadataDefinition
@Timespan
public final class WaitThresholdSetting extends SettingControl {
  private volatile String value = "0 ms";
  private volatile long millis;

  /** The threshold in milliseconds. */
  long millis() {
    return millis;
  }

  @Override
  public String combine(Set<String> values) {
    String best = null;
    long min = Long.MAX_VALUE;
    for (String v : values) {
      long m = parseMillis(v);
      if (m < min) {
        min = m;
        best = v;
      }
    }
    return best == null ? "0 ms" : best;
  }

  @Override
  public void setValue(String v) {
    value = v;
    millis = parseMillis(v);
  }

  @Override
  public String getValue() {
    return value;
  }

  /** {@code "20 ms"} -> 20; units ns, us, ms, s, m, h, d; bad values -> 0. */
  static long parseMillis(String text) {
    if (text == null) {
      return 0;
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
    }
    if (i == 0) {
      return 0;
    }
    long n;
    try {
      n = Long.parseLong(t.substring(0, i));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
    switch (t.substring(i).trim()) {
      case "ns":
        return n / 1_000_000;
      case "us":
        return n / 1_000;
      case "":
      case "ms":
        return n;
      case "s":
        return n * 1_000;
      case "m":
        return n * 60_000;
      case "h":
        return n * 3_600_000;
      case "d":
        return n * 86_400_000;
      default:
        return 0;
    }
  }
}
