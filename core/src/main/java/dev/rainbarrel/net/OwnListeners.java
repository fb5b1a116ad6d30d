package dev.rainbarrel.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * As {@link #find()}, asking {@code sampler} for the host's listening sockets (with netlink that
   * costs microseconds however many connections the host has, where {@code /proc/net/tcp} lists
   * them all).
   */
  public static List<ListenAddress> find(ListenerSampler sampler) throws IOException {
    return ownOf(sampler.listeningSockets(), socketInodes());
  }

  /** The inodes of every socket this process has open (its {@code /proc/self/fd} links). */
  public static Set<Long> socketInodes() throws IOException {
    return socketInodes(Path.of("/proc/self/fd"));
  }

  /** The listeners among {@code listening} (inode to address) whose inode is in {@code own}. */
  public static List<ListenAddress> ownOf(Map<Long, ListenAddress> listening, Set<Long> own) {
    Set<ListenAddress> out = new LinkedHashSet<>();
    for (Map.Entry<Long, ListenAddress> e : listening.entrySet()) {
      if (own.contains(e.getKey())) {
        out.add(e.getValue());
      }
    }
    return new ArrayList<>(out);
  }

  static List<ListenAddress> find(String fdDir, ProcNetReader reader) throws IOException {
    Set<Long> inodes = socketInodes(Path.of(fdDir));
    if (inodes.isEmpty()) {
      return new ArrayList<>();
    }
    return ownOf(listeningSockets(reader, true), inodes);
  }

  /** TCP (v4 then v6) and, if asked, Unix LISTEN sockets of the host by inode, from /proc. */
  static Map<Long, ListenAddress> listeningSockets(ProcNetReader reader, boolean unix) throws IOException {
    Map<Long, ListenAddress> out = new LinkedHashMap<>();
    ProcNetReader.TcpRowSink tcp =
        (family, addr, port, state, rq, wq, inode) -> {
          if (state == TcpTally.TCP_LISTEN && inode != 0) {
            out.put(inode, tcpAddress(family, addr, port));
          }
        };
    // LISTEN rows come first in the files: stop there instead of reading every connection
    reader.readTcpListening(TcpTally.AF_INET, tcp);
    reader.readTcpListening(TcpTally.AF_INET6, tcp);
    if (unix) {
      listeningUnix(reader, out);
    }
    return out;
  }

  /** Adds the host's Unix LISTEN sockets (from /proc/net/unix) by inode. */
  static void listeningUnix(ProcNetReader reader, Map<Long, ListenAddress> out) throws IOException {
    reader.readUnix(
        (buf, off, len, listening, state, rq, wq, inode) -> {
          if (listening && len > 0 && inode != 0) {
            out.put(inode, ListenAddress.ofUnix(new String(buf, off, len, StandardCharsets.UTF_8)));
          }
        });
  }

  /** Canonical address of a TCP socket row (IPv4-mapped IPv6 as IPv4). */
  static ListenAddress tcpAddress(int family, byte[] addr, int port) {
    if (family == TcpTally.AF_INET) {
      return ListenAddress.ofTcp(Arrays.copyOf(addr, 4), port);
    } else if (TcpTally.isV4Mapped(addr)) {
      return ListenAddress.ofTcp(Arrays.copyOfRange(addr, 12, 16), port);
    }
    return ListenAddress.ofTcp(Arrays.copyOf(addr, 16), port);
  }

  /** Inodes of the sockets open in this process, from the {@code socket:[N]} fd links. */
  static Set<Long> socketInodes(Path fdDir) throws IOException {
    return socketDescriptors(fdDir).keySet();
  }

  /**
   * The sockets open in this process: inode to descriptor number, from the {@code socket:[N]}
   * links in {@code /proc/self/fd}. One {@code readlink} per descriptor: about a microsecond
   * each, so 10 ms for a server holding 5 000 connections.
   */
  public static Map<Long, Integer> socketDescriptors() throws IOException {
    return socketDescriptors(Path.of("/proc/self/fd"));
  }

  static Map<Long, Integer> socketDescriptors(Path fdDir) throws IOException {
    Map<Long, Integer> out = new HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(fdDir)) {
      for (Path p : ds) {
        long inode = socketInode(p);
        if (inode >= 0) {
          try {
            out.put(inode, Integer.parseInt(p.getFileName().toString()));
          } catch (NumberFormatException e) {
            // not a descriptor entry; skip it
          }
        }
      }
    }
    return out;
  }

  /**
   * Whether descriptor {@code fd} of this process is still the socket {@code inode}: one {@code
   * readlink}, false once the descriptor was closed (or reused for something else).
   */
  public static boolean isSocket(int fd, long inode) {
    return socketInode(Path.of("/proc/self/fd", Integer.toString(fd))) == inode;
  }

  /** The inode of a {@code socket:[N]} link, or -1 (not a socket, or closed meanwhile). */
  private static long socketInode(Path link) {
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return -1; // closed meanwhile (e.g. the directory stream's own fd)
    }
    if (target.startsWith("socket:[") && target.endsWith("]")) {
      try {
        return Long.parseLong(target.substring(8, target.length() - 1));
      } catch (NumberFormatException e) {
        return -1; // not a socket link we understand
      }
    }
    return -1;
  }
}
