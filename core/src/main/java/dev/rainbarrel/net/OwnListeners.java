package dev.rainbarrel.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The listening sockets of this process: TCP and Unix LISTEN sockets whose inode appears among the
 * links {@code /proc/self/fd/N -> socket:[inode]}. Needs no configuration and no access to the
 * server's objects, so it also works after a dynamic attach.
 *
 * <p>TCP listeners are returned in canonical form ({@code 127.0.0.1:8080}, {@code [::]:8080}; an
 * IPv4-mapped IPv6 listener, as Java creates for an IPv4 bind, as IPv4), Unix listeners by path
 * ({@code @name} for abstract ones). Several sockets on one address (SO_REUSEPORT) give one entry.
 */
public final class OwnListeners {

  private OwnListeners() {}

  /** The listen addresses of this process, TCP first, each once. */
  public static List<ListenAddress> find() throws IOException {
    return find("/proc/self/fd", new ProcNetReader());
  }

  static List<ListenAddress> find(String fdDir, ProcNetReader reader) throws IOException {
    Set<Long> inodes = socketInodes(Path.of(fdDir));
    Set<ListenAddress> out = new LinkedHashSet<>();
    if (inodes.isEmpty()) {
      return new ArrayList<>();
    }
    ProcNetReader.TcpRowSink tcp =
        (family, addr, port, state, rq, wq, inode) -> {
          if (state == TcpTally.TCP_LISTEN && inodes.contains(inode)) {
            if (family == TcpTally.AF_INET) {
              out.add(ListenAddress.ofTcp(Arrays.copyOf(addr, 4), port));
            } else if (TcpTally.isV4Mapped(addr)) {
              out.add(ListenAddress.ofTcp(Arrays.copyOfRange(addr, 12, 16), port));
            } else {
              out.add(ListenAddress.ofTcp(Arrays.copyOf(addr, 16), port));
            }
          }
        };
    reader.readTcp(TcpTally.AF_INET, tcp);
    reader.readTcp(TcpTally.AF_INET6, tcp);
    reader.readUnix(
        (buf, off, len, listening, state, rq, wq, inode) -> {
          if (listening && len > 0 && inodes.contains(inode)) {
            out.add(ListenAddress.ofUnix(new String(buf, off, len, StandardCharsets.UTF_8)));
          }
        });
    return new ArrayList<>(out);
  }

  /** Inodes of the sockets open in this process, from the {@code socket:[N]} fd links. */
  static Set<Long> socketInodes(Path fdDir) throws IOException {
    Set<Long> inodes = new HashSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(fdDir)) {
      for (Path p : ds) {
        String target;
        try {
          target = Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
          continue; // closed meanwhile (e.g. the directory stream's own fd)
        }
        if (target.startsWith("socket:[") && target.endsWith("]")) {
          try {
            inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
          } catch (NumberFormatException e) {
            // not a socket link we understand; skip it
          }
        }
      }
    }
    return inodes;
  }
}
