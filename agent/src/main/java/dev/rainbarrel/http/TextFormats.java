package dev.rainbarrel.http;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The small text conversions the raindrops-compatible pages need, spelled the way Ruby and Rack
 * spell them: HTTP dates ({@code Time#httpdate}), ISO 8601 UTC times ({@code Time#iso8601}),
 * floats ({@code Float#to_s}), form escaping ({@code Rack::Utils.escape}/{@code unescape}) and
 * HTML escaping.
 */
final class TextFormats {
  private TextFormats() {}

  // Two-digit day on purpose: DateTimeFormatter.RFC_1123_DATE_TIME prints "2 Nov", HTTP wants "02 Nov".
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ISO_SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** RFC 7231 IMF-fixdate, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
  static String httpDate(long epochMillis) {
    return HTTP_DATE.format(Instant.ofEpochMilli(epochMillis));
  }

  /** Ruby's {@code Time#utc.iso8601}: {@code 2026-11-22T02:00:20Z}, whole seconds. */
  static String iso8601(long epochMillis) {
    return ISO_SECONDS.format(Instant.ofEpochMilli(epochMillis));
  }

  /**
   * Ruby's {@code Float#to_s}: the shortest digits that read back as the same double, fixed
   * notation for magnitudes in {@code [1e-4, 1e15)} (and for any value whose digits straddle the
   * point), otherwise {@code 1.5e+16} style.
   * Independent of the JDK's {@code Double.toString}, whose digits differ between JDK 17 and 19+.
   */
  static String rubyFloat(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "Infinity" : "-Infinity";
    }
    if (v == 0.0) {
      return (1 / v < 0) ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(v);
    BigDecimal shortest = null;
    for (int p = 1; p <= 17; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == v) {
        shortest = r;
        break;
      }
    }
    if (shortest == null) {
      shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }
    String digits = shortest.unscaledValue().abs().toString().replaceAll("0+$", "");
    if (digits.isEmpty()) {
      digits = "0";
    }
    // value = 0.DIGITS * 10^decpt
    int decpt = shortest.precision() - shortest.scale();
    StringBuilder sb = new StringBuilder();
    if (v < 0) {
      sb.append('-');
    }
    // Ruby's flo_to_s: a point inside the digits is always fixed; padding with zeros only up to
    // decpt 15 (DBL_DIG); otherwise exponent form
    if (decpt > 0 && decpt < digits.length()) {
      sb.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
    } else if (decpt > 0 && decpt <= 15) {
      sb.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
    } else if (decpt <= 0 && decpt > -4) {
      sb.append("0.").append("0".repeat(-decpt)).append(digits);
    } else {
      sb.append(digits.charAt(0)).append('.');
      sb.append(digits.length() > 1 ? digits.substring(1) : "0");
      int e = decpt - 1;
      sb.append('e').append(e < 0 ? '-' : '+');
      String exp = Integer.toString(Math.abs(e));
      if (exp.length() < 2) {
        sb.append('0');
      }
      sb.append(exp);
    }
    return sb.toString();
  }

  /** {@code Rack::Utils.escape}: {@code application/x-www-form-urlencoded} of UTF-8, space as '+'. */
  static String formEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '*' || c == '-' || c == '.' || c == '_') {
        sb.append((char) c);
      } else if (c == ' ') {
        sb.append('+');
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  /**
   * {@code Rack::Utils.unescape}: '+' is a space, {@code %XX} a byte, bytes read as UTF-8.
   *
   * @throws IllegalArgumentException naming the text when a {@code %} is not followed by two hex digits
   */
  static String formUnescape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '+') {
        out.write(' ');
      } else if (c == '%') {
        int hi = i + 1 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("bad %-escape at index " + i + " in '" + s + "'");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Escapes {@code & < > " '} for HTML text and attribute values. */
  static String html(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Ruby's {@code String#to_i}: optional sign and leading digits, 0 when there are none; clamps to long. */
  static long rubyToI(String s) {
    if (s == null) {
      return 0;
    }
    int i = 0;
    int n = s.length();
    while (i < n && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    boolean neg = false;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      neg = s.charAt(i) == '-';
      i++;
    }
    long v = 0;
    for (; i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) {
      int d = s.charAt(i) - '0';
      if (v > (Long.MAX_VALUE - d) / 10) {
        return neg ? Long.MIN_VALUE : Long.MAX_VALUE;
      }
      v = v * 10 + d;
    }
    return neg ? -v : v;
  }
}
