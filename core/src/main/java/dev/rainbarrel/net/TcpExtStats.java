package dev.rainbarrel.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Host-wide listen-queue failure counters from the {@code TcpExt} lines of {@code
 * /proc/net/netstat} (per network namespace): {@code ListenOverflows} counts SYNs or completed
 * handshakes dropped because an accept queue was full, {@code ListenDrops} every drop at a listener
 * (overflows included).
 *
 * @param listenOverflows the {@code TcpExt ListenOverflows} counter
 * @param listenDrops the {@code TcpExt ListenDrops} counter
 */
public record TcpExtStats(long listenOverflows, long listenDrops) {

  static final String PROC_NETSTAT = "/proc/net/netstat";

  /** Reads the counters now. */
  public static TcpExtStats read() throws IOException {
    return read(Path.of(PROC_NETSTAT));
  }

  /**
   * Parses the file's bytes directly (no per-line strings, no regular expressions): the watcher
   * reads it every round. The {@code TcpExt:} names line gives the column of each counter, the
   * {@code TcpExt:} values line that follows gives the numbers.
   */
  static TcpExtStats read(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    int names = find(b, 0);
    if (names < 0) {
      throw new IOException(file + ": no TcpExt lines");
    }
    int values = find(b, lineEnd(b, names) + 1);
    if (values < 0) {
      throw new IOException(file + ": no TcpExt lines");
    }
    int overflowsAt = column(b, names, LISTEN_OVERFLOWS);
    int dropsAt = column(b, names, LISTEN_DROPS);
    if (overflowsAt < 0 || dropsAt < 0) {
      throw new IOException(file + ": TcpExt lacks ListenOverflows or ListenDrops");
    }
    int nameCount = tokens(b, names);
    int valueCount = tokens(b, values);
    if (nameCount != valueCount) {
      throw new IOException(file + ": TcpExt has " + nameCount + " names but " + valueCount
          + " values");
    }
    return new TcpExtStats(number(file, b, values, overflowsAt, "ListenOverflows"),
        number(file, b, values, dropsAt, "ListenDrops"));
  }

  private static final byte[] PREFIX = "TcpExt:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LISTEN_OVERFLOWS = "ListenOverflows".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LISTEN_DROPS = "ListenDrops".getBytes(StandardCharsets.US_ASCII);

  /** Start of the first line at or after {@code from} that begins with "TcpExt:", or -1. */
  private static int find(byte[] b, int from) {
    for (int i = from; i < b.length; i = lineEnd(b, i) + 1) {
      if (startsWith(b, i, PREFIX)) {
        return i;
      }
    }
    return -1;
  }

  private static int lineEnd(byte[] b, int from) {
    int i = from;
    while (i < b.length && b[i] != '\n') {
      i++;
    }
    return i;
  }

  private static boolean startsWith(byte[] b, int at, byte[] p) {
    return Arrays.equals(b, at, Math.min(b.length, at + p.length), p, 0, p.length);
  }

  /** Index (1 = first after the prefix) of the token equal to {@code name} on the line, or -1. */
  private static int column(byte[] b, int line, byte[] name) {
    int end = lineEnd(b, line);
    int k = 0;
    for (int s = nextToken(b, line, end); s < end; s = nextToken(b, tokenEnd(b, s, end), end), k++) {
      int e = tokenEnd(b, s, end);
      if (e - s == name.length && Arrays.equals(b, s, e, name, 0, name.length)) {
        return k;
      }
    }
    return -1;
  }

  /** The start of the first token at or after {@code i} (spaces skipped), or {@code end}. */
  private static int nextToken(byte[] b, int i, int end) {
    while (i < end && b[i] == ' ') {
      i++;
    }
    return i;
  }

  /** The end (exclusive) of the token starting at {@code s}. */
  private static int tokenEnd(byte[] b, int s, int end) {
    int i = s;
    while (i < end && b[i] != ' ') {
      i++;
    }
    return i;
  }

  private static int tokens(byte[] b, int line) {
    int end = lineEnd(b, line);
    int k = 0;
    for (int i = line; i < end; i++) {
      if (b[i] != ' ' && (i == line || b[i - 1] == ' ')) {
        k++;
      }
    }
    return k;
  }

  private static long number(Path file, byte[] b, int line, int col, String name)
      throws IOException {
    int end = lineEnd(b, line);
    int k = 0;
    for (int s = nextToken(b, line, end); s < end; s = nextToken(b, tokenEnd(b, s, end), end), k++) {
      if (k == col) {
        String v = new String(b, s, tokenEnd(b, s, end) - s, StandardCharsets.US_ASCII);
        try {
          return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
          throw new IOException(file + ": TcpExt " + name + " is not a number: \"" + v + "\"");
        }
      }
    }
    throw new IOException(file + ": TcpExt has no value for " + name);
  }
}
