package dev.rainbarrel.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

  static TcpExtStats read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    for (int i = 0; i + 1 < lines.size(); i++) {
      String names = lines.get(i);
      String values = lines.get(i + 1);
      if (names.startsWith("TcpExt:") && values.startsWith("TcpExt:")) {
        String[] n = names.trim().split("\\s+");
        String[] v = values.trim().split("\\s+");
        if (n.length != v.length) {
          throw new IOException(file + ": TcpExt has " + n.length + " names but " + v.length
              + " values");
        }
        long overflows = -1;
        long drops = -1;
        for (int k = 1; k < n.length; k++) {
          if (n[k].equals("ListenOverflows")) {
            overflows = parse(file, n[k], v[k]);
          } else if (n[k].equals("ListenDrops")) {
            drops = parse(file, n[k], v[k]);
          }
        }
        if (overflows < 0 || drops < 0) {
          throw new IOException(file + ": TcpExt lacks ListenOverflows or ListenDrops");
        }
        return new TcpExtStats(overflows, drops);
      }
    }
    throw new IOException(file + ": no TcpExt lines");
  }

  private static long parse(Path file, String name, String value) throws IOException {
    try {
      return Long.parseUnsignedLong(value);
    } catch (NumberFormatException e) {
      throw new IOException(file + ": TcpExt " + name + " is not a number: \"" + value + "\"");
    }
  }
}
