package dev.rainbarrel.shm;

import static dev.rainbarrel.shm.BarrelLayout.*;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The table of processes attached to a Barrel, in its header page: 28 entries of 64 bytes, each
 * claimed by one compare-and-swap of its owner stamp (0 = free), so {@code list} can tell which
 * JVMs use a shared file and a dead process's entry can be taken over.
 *
 * <pre>
 * entry at 256 + 64 i:
 * 0     8     owner stamp (pid &lt;&lt; 32 | start time); 0 = free
 * 8     8     attached at, epoch milliseconds
 * 16    48    description: main class or command, UTF-8, NUL-padded
 * </pre>
 */
final class AttachTable {
  private static final VarHandle LONG = Barrel.LONG;

  private AttachTable() {}

  /**
   * Claims a free entry (or, failing that, a dead process's) for {@code stamp}; returns its index,
   * or -1 when every entry belongs to a live process (the Barrel still works, unlisted).
   */
  static int claim(ByteBuffer header, long stamp, String description) {
    byte[] d = truncateUtf8(description, ATTACH_DESCRIPTION_LENGTH);
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < ATTACH_ENTRIES; i++) {
        int a = entry(i);
        long owner = (long) LONG.getAcquire(header, a);
        boolean free = owner == 0 || (pass == 1 && owner > 0 && !ProcessIdentity.isAlive(owner));
        if (free && LONG.compareAndSet(header, a, owner, stamp)) {
          header.putLong(a + 8, System.currentTimeMillis());
          for (int j = 0; j < ATTACH_DESCRIPTION_LENGTH; j++) {
            header.put(a + ATTACH_DESCRIPTION + j, j < d.length ? d[j] : 0);
          }
          return i;
        }
      }
    }
    return -1;
  }

  /** Frees entry {@code index} if {@code stamp} still holds it. */
  static void release(ByteBuffer header, int index, long stamp) {
    if (index >= 0) {
      LONG.compareAndSet(header, entry(index), stamp, 0L);
    }
  }

  /** Frees the entries of processes that are gone. */
  static void clearDead(ByteBuffer header) {
    for (int i = 0; i < ATTACH_ENTRIES; i++) {
      long owner = (long) LONG.getAcquire(header, entry(i));
      if (owner > 0 && !ProcessIdentity.isAlive(owner)) {
        LONG.compareAndSet(header, entry(i), owner, 0L);
      }
    }
  }

  /**
   * Whether a process in the table is alive, read with plain accesses (for a header copied out
   * of the file, as a stale-file sweep reads it).
   */
  static boolean anyAlive(ByteBuffer header) {
    for (int i = 0; i < ATTACH_ENTRIES; i++) {
      long owner = header.getLong(entry(i));
      if (owner > 0 && ProcessIdentity.isAlive(owner)) {
        return true;
      }
    }
    return false;
  }

  /** The occupied entries. */
  static List<Attachment> list(ByteBuffer header) {
    List<Attachment> out = new ArrayList<>();
    for (int i = 0; i < ATTACH_ENTRIES; i++) {
      int a = entry(i);
      long owner = (long) LONG.getAcquire(header, a);
      if (owner != 0) {
        byte[] d = new byte[ATTACH_DESCRIPTION_LENGTH];
        int len = 0;
        while (len < d.length && (d[len] = header.get(a + ATTACH_DESCRIPTION + len)) != 0) {
          len++;
        }
        out.add(new Attachment(ProcessIdentity.pid(owner), owner, header.getLong(a + 8),
            new String(d, 0, len, StandardCharsets.UTF_8), ProcessIdentity.isAlive(owner)));
      }
    }
    return out;
  }

  /** This process's main class (or command), as {@code list} shows it. */
  static String describeCurrentProcess() {
    String cmd = System.getProperty("sun.java.command", "");
    int space = cmd.indexOf(' ');
    String main = space < 0 ? cmd : cmd.substring(0, space);
    return main.isEmpty() ? ProcessHandle.current().info().command().orElse("java") : main;
  }

  private static int entry(int i) {
    return ATTACH_OFFSET + i * ATTACH_ENTRY_LENGTH;
  }

  private static byte[] truncateUtf8(String s, int max) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length <= max) {
      return b;
    }
    int end = max;
    while (end > 0 && (b[end] & 0xC0) == 0x80) {
      end--; // do not split a multi-byte character
    }
    return Arrays.copyOf(b, end);
  }
}
