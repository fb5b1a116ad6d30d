package dev.rainbarrel.net;

import java.util.Arrays;
import java.util.Objects;

/**
 * A listen address as raindrops spells it: {@code a.b.c.d:port}, {@code [v6]:port}, or a Unix
 * socket path starting with {@code /} (file system) or {@code @} (abstract name).
 *
 * <p>Parsing never resolves names (no DNS): the host part must be a numeric IPv4 or IPv6 literal.
 * Bad input raises {@link IllegalArgumentException} whose message quotes the input and says what is
 * wrong. {@link #toString()} returns the text as given, which is also the key under which samplers
 * report this address; {@link #canonical()} is the normalised form used for discovered listeners
 * ({@code 127.0.0.1:80}, {@code [::1]:80}, IPv6 compressed the way {@code inet_ntop} does it).
 */
public final class ListenAddress {

  /** What kind of socket an address names. */
  public enum Kind {
    /** IPv4 TCP address. */
    TCP4,
    /** IPv6 TCP address. */
    TCP6,
    /** Unix domain socket (a path, or an abstract name written {@code @name}). */
    UNIX
  }

  private final String text;
  private final Kind kind;
  private final byte[] addr; // 4 or 16 bytes, network order; null for UNIX
  private final int port;
  private final String path; // UNIX only, as written (abstract names keep the '@')

  private ListenAddress(String text, Kind kind, byte[] addr, int port, String path) {
    this.text = text;
    this.kind = kind;
    this.addr = addr;
    this.port = port;
    this.path = path;
  }

  /**
   * Parses {@code a.b.c.d:port}, {@code [v6]:port}, {@code /path} or {@code @abstract}.
   *
   * @throws IllegalArgumentException naming the input and what is wrong with it
   */
  public static ListenAddress parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("listen address is null");
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException("listen address \"\" is empty");
    }
    char c0 = text.charAt(0);
    if (c0 == '/' || c0 == '@') {
      if (text.length() == 1) {
        throw new IllegalArgumentException(
            "bad Unix socket address \"" + text + "\": the name after '" + c0 + "' is empty");
      }
      if (text.indexOf('\0') >= 0 || text.indexOf('\n') >= 0) {
        throw new IllegalArgumentException(
            "bad Unix socket address \"" + quoted(text) + "\": contains a NUL or newline");
      }
      return new ListenAddress(text, Kind.UNIX, null, -1, text);
    }
    if (c0 == '[') {
      int rb = text.indexOf(']');
      if (rb < 0) {
        throw new IllegalArgumentException("bad IPv6 address \"" + text + "\": ']' not found");
      }
      if (rb + 1 >= text.length() || text.charAt(rb + 1) != ':') {
        throw new IllegalArgumentException(
            "bad address \"" + text + "\": no port (expected [ipv6]:port)");
      }
      String host = text.substring(1, rb);
      int port = parsePort(text, text.substring(rb + 2));
      byte[] a = parseIpv6(host);
      if (a == null) {
        throw new IllegalArgumentException(
            "bad address \"" + text + "\": \"" + host + "\" is not a numeric IPv6 address");
      }
      return new ListenAddress(text, Kind.TCP6, a, port, null);
    }
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "bad address \"" + text + "\": no port (expected ip:port, [ipv6]:port, /path or @name)");
    }
    if (text.indexOf(':') != colon) {
      throw new IllegalArgumentException(
          "bad address \"" + text + "\": IPv6 addresses must be bracketed, as in [::1]:8080");
    }
    String host = text.substring(0, colon);
    int port = parsePort(text, text.substring(colon + 1));
    byte[] a = parseIpv4(host);
    if (a == null) {
      throw new IllegalArgumentException(
          "bad address \""
              + text
              + "\": \""
              + host
              + "\" is not a numeric IPv4 address (no DNS lookups are done)");
    }
    return new ListenAddress(text, Kind.TCP4, a, port, null);
  }

  /** Builds a TCP address from raw network-order bytes (4 or 16) and a port. */
  public static ListenAddress ofTcp(byte[] address, int port) {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " out of range 0-65535");
    }
    byte[] a = address.clone();
    if (a.length == 4) {
      return new ListenAddress(formatV4(a, 0) + ":" + port, Kind.TCP4, a, port, null);
    }
    if (a.length == 16) {
      return new ListenAddress("[" + formatV6(a, 0) + "]:" + port, Kind.TCP6, a, port, null);
    }
    throw new IllegalArgumentException("address must have 4 or 16 bytes, not " + a.length);
  }

  /** Builds a Unix socket address ({@code /path} or {@code @abstract}). */
  public static ListenAddress ofUnix(String path) {
    ListenAddress a = parse(path);
    if (a.kind != Kind.UNIX) {
      throw new IllegalArgumentException("\"" + path + "\" is not a Unix socket path");
    }
    return a;
  }

  private static String quoted(String s) {
    return s.replace("\0", "\\0").replace("\n", "\\n");
  }

  private static int parsePort(String text, String p) {
    if (p.isEmpty()) {
      throw new IllegalArgumentException("bad address \"" + text + "\": no port after ':'");
    }
    if (p.length() > 5) {
      throw new IllegalArgumentException(
          "bad address \"" + text + "\": port \"" + p + "\" out of range 0-65535");
    }
    int v = 0;
    for (int i = 0; i < p.length(); i++) {
      char ch = p.charAt(i);
      if (ch < '0' || ch > '9') {
        throw new IllegalArgumentException(
            "bad address \"" + text + "\": port \"" + p + "\" is not a number");
      }
      v = v * 10 + (ch - '0');
    }
    if (v > 65535) {
      throw new IllegalArgumentException(
          "bad address \"" + text + "\": port " + v + " out of range 0-65535");
    }
    return v;
  }

  /** Strict dotted quad: four decimal parts 0-255, no leading '+', no empty parts. */
  static byte[] parseIpv4(String s) {
    byte[] out = new byte[4];
    return parseIpv4Into(s, out, 0) ? out : null;
  }

  private static boolean parseIpv4Into(String s, byte[] out, int off) {
    int part = 0;
    int val = 0;
    int digits = 0;
    for (int i = 0; i <= s.length(); i++) {
      char ch = i < s.length() ? s.charAt(i) : '.';
      if (ch == '.') {
        if (digits == 0 || part > 3) {
          return false;
        }
        out[off + part++] = (byte) val;
        val = 0;
        digits = 0;
      } else if (ch >= '0' && ch <= '9') {
        val = val * 10 + (ch - '0');
        if (++digits > 3 || val > 255) {
          return false;
        }
      } else {
        return false;
      }
    }
    return part == 4;
  }

  /** RFC 4291 text forms: hex groups, one '::', optional trailing dotted quad. Scope ids refused. */
  static byte[] parseIpv6(String s) {
    if (s.isEmpty() || s.indexOf('%') >= 0) {
      return null;
    }
    byte[] out = new byte[16];
    int[] groups = new int[8];
    int n = 0;
    int gap = -1;
    int i = 0;
    int len = s.length();
    if (s.startsWith("::")) {
      gap = 0;
      i = 2;
      if (len == 2) {
        return out;
      }
    } else if (s.charAt(0) == ':') {
      return null;
    }
    while (i < len) {
      int j = i;
      int v = 0;
      while (j < len && Character.digit(s.charAt(j), 16) >= 0 && j - i < 5) {
        v = (v << 4) | Character.digit(s.charAt(j), 16);
        j++;
      }
      if (j < len && s.charAt(j) == '.') {
        // trailing IPv4 part takes two groups
        if (n > 6 || !parseIpv4Into(s.substring(i), out, 0)) {
          return null;
        }
        groups[n++] = ((out[0] & 0xff) << 8) | (out[1] & 0xff);
        groups[n++] = ((out[2] & 0xff) << 8) | (out[3] & 0xff);
        i = len;
        break;
      }
      if (j == i || j - i > 4 || n >= 8) {
        return null;
      }
      groups[n++] = v;
      if (j == len) {
        i = len;
        break;
      }
      if (s.charAt(j) != ':') {
        return null;
      }
      if (j + 1 < len && s.charAt(j + 1) == ':') {
        if (gap >= 0) {
          return null;
        }
        gap = n;
        i = j + 2;
        if (i == len) {
          break;
        }
      } else {
        i = j + 1;
        if (i == len) {
          return null; // trailing single ':'
        }
      }
    }
    int[] full = new int[8];
    if (gap >= 0) {
      if (n > 7) {
        return null;
      }
      int tail = n - gap;
      System.arraycopy(groups, 0, full, 0, gap);
      System.arraycopy(groups, gap, full, 8 - tail, tail);
    } else {
      if (n != 8) {
        return null;
      }
      System.arraycopy(groups, 0, full, 0, 8);
    }
    Arrays.fill(out, (byte) 0);
    for (int g = 0; g < 8; g++) {
      out[2 * g] = (byte) (full[g] >>> 8);
      out[2 * g + 1] = (byte) full[g];
    }
    return out;
  }

  static String formatV4(byte[] a, int off) {
    return (a[off] & 0xff) + "." + (a[off + 1] & 0xff) + "." + (a[off + 2] & 0xff) + "."
        + (a[off + 3] & 0xff);
  }

  /** Formats 16 bytes like glibc's {@code inet_ntop}: longest zero run (2+ groups) as '::'. */
  static String formatV6(byte[] a, int off) {
    int[] w = new int[8];
    for (int g = 0; g < 8; g++) {
      w[g] = ((a[off + 2 * g] & 0xff) << 8) | (a[off + 2 * g + 1] & 0xff);
    }
    int bestBase = -1;
    int bestLen = 0;
    int curBase = -1;
    int curLen = 0;
    for (int g = 0; g < 8; g++) {
      if (w[g] == 0) {
        if (curBase < 0) {
          curBase = g;
          curLen = 1;
        } else {
          curLen++;
        }
      } else if (curBase >= 0) {
        if (curLen > bestLen) {
          bestBase = curBase;
          bestLen = curLen;
        }
        curBase = -1;
      }
    }
    if (curBase >= 0 && curLen > bestLen) {
      bestBase = curBase;
      bestLen = curLen;
    }
    if (bestLen < 2) {
      bestBase = -1;
    }
    StringBuilder sb = new StringBuilder(46);
    for (int g = 0; g < 8; g++) {
      if (bestBase >= 0 && g >= bestBase && g < bestBase + bestLen) {
        if (g == bestBase) {
          sb.append(':');
        }
        continue;
      }
      if (g != 0) {
        sb.append(':');
      }
      if (g == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
        sb.append(formatV4(a, off + 12));
        break;
      }
      sb.append(Integer.toHexString(w[g]));
    }
    if (bestBase >= 0 && bestBase + bestLen == 8) {
      sb.append(':');
    }
    return sb.toString();
  }

  /** The text as given to {@link #parse}: the key samplers report this address under. */
  @Override
  public String toString() {
    return text;
  }

  /** Normalised text: dotted quad, compressed bracketed IPv6, or the Unix path as given. */
  public String canonical() {
    switch (kind) {
      case TCP4:
        return formatV4(addr, 0) + ":" + port;
      case TCP6:
        return "[" + formatV6(addr, 0) + "]:" + port;
      default:
        return path;
    }
  }

  /** TCP4, TCP6 or UNIX. */
  public Kind kind() {
    return kind;
  }

  /** True for TCP4 and TCP6. */
  public boolean isTcp() {
    return kind != Kind.UNIX;
  }

  /** The address bytes in network order (4 or 16); a copy. Empty for Unix addresses. */
  public byte[] address() {
    return addr == null ? new byte[0] : addr.clone();
  }

  /** Package-internal view without copying. */
  byte[] rawAddress() {
    return addr;
  }

  /** The TCP port, or -1 for Unix addresses. */
  public int port() {
    return port;
  }

  /** The Unix path ({@code /x} or {@code @name}), or null for TCP addresses. */
  public String path() {
    return path;
  }

  /** True when the address is the wildcard ({@code 0.0.0.0} or {@code ::}). */
  public boolean isWildcard() {
    if (addr == null) {
      return false;
    }
    for (byte b : addr) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ListenAddress)) {
      return false;
    }
    ListenAddress other = (ListenAddress) o;
    return kind == other.kind
        && port == other.port
        && Arrays.equals(addr, other.addr)
        && Objects.equals(path, other.path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, port, Arrays.hashCode(addr), path);
  }
}
