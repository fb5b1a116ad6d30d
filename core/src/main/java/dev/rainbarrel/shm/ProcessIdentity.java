package dev.rainbarrel.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Identifies a process by pid <em>and</em> start time, packed into one non-zero 64-bit
 * <em>owner stamp</em>, so that a pid reused by the kernel after the owner died is never mistaken
 * for the owner.
 *
 * <pre>
 *  63                              32 31                               0
 * +----------------------------------+----------------------------------+
 * |               pid                |   start time (low 32 bits)       |
 * +----------------------------------+----------------------------------+
 * </pre>
 *
 * <p>On Linux the start time is {@code starttime} from {@code /proc/<pid>/stat} (clock ticks since
 * boot), the same figure the kernel reports to every process, so any process computes the same
 * stamp for a given process. Elsewhere it falls back to {@link ProcessHandle.Info#startInstant()}
 * in milliseconds. A process in state zombie ({@code Z}) or dead ({@code X}) counts as gone.
 *
 * <p>Stamps are what the allocators claim in one CAS, and what readers and reapers use to decide
 * whether a slot's owner is still alive.
 */
public final class ProcessIdentity {

  private static final long CURRENT = computeStamp(ProcessHandle.current().pid());

  private ProcessIdentity() {}

  /** The stamp of the calling process. */
  public static long currentStamp() {
    return CURRENT;
  }

  /** The pid packed into a stamp. */
  public static long pid(long stamp) {
    return stamp >>> 32;
  }

  /**
   * The stamp of a running process, or empty when no such process is alive (or it is a zombie).
   */
  public static Optional<Long> stampOf(long pid) {
    if (pid <= 0 || pid > 0xFFFF_FFFFL) {
      return Optional.empty();
    }
    long s = computeStamp(pid);
    return s == 0 ? Optional.empty() : Optional.of(s);
  }

  /** True when the process that owned this stamp is still running (same pid, same start time). */
  public static boolean isAlive(long stamp) {
    if (stamp == CURRENT) {
      return true;
    }
    long pid = pid(stamp);
    if (pid == 0) {
      return false;
    }
    return computeStamp(pid) == stamp;
  }

  /** Computes the stamp of a live process, or 0 if it is not alive. */
  private static long computeStamp(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (Files.isDirectory(Path.of("/proc/self"))) {
      try {
        String s = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
        // comm may contain spaces and parentheses: fields resume after the last ')'.
        int close = s.lastIndexOf(')');
        if (close < 0) {
          return 0;
        }
        String[] f = s.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state); starttime is field 22, so f[19].
        char state = f[0].isEmpty() ? '?' : f[0].charAt(0);
        if (state == 'Z' || state == 'X' || f.length < 20) {
          return 0;
        }
        long start = Long.parseLong(f[19]);
        return pack(pid, start);
      } catch (IOException | RuntimeException e) {
        return 0; // no such process (or unreadable): not alive as far as we can tell
      }
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .map(ph -> pack(pid, ph.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L)))
        .orElse(0L);
  }

  static long pack(long pid, long start) {
    return (pid << 32) | (start & 0xFFFF_FFFFL);
  }

  /**
   * The pid namespace this process lives in: the inode of {@code /proc/self/ns/pid}, 0 where it
   * cannot be read. Two processes' stamps are comparable only within one namespace (containers that
   * share a file see each other's pids as other processes or none).
   */
  public static long pidNamespace() {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(); // "pid:[4026531836]"
      int open = link.indexOf('[');
      int close = link.indexOf(']', open + 1);
      return open < 0 || close < 0 ? 0L : Long.parseLong(link.substring(open + 1, close));
    } catch (IOException | RuntimeException e) {
      return 0L;
    }
  }
}
