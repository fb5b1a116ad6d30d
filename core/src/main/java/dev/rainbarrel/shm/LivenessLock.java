package dev.rainbarrel.shm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * The lock that says "a live process has this Barrel open", whatever pid namespace it runs in.
 *
 * <p>Every process that opens a Barrel read-write holds a shared lock on one byte at {@link
 * #POSITION} (2<sup>62</sup>), far beyond any extent, for as long as it has the file open; the kernel
 * drops it when the process exits, however it exits. The structural lock ({@link Barrel}) covers
 * {@code [0, POSITION)} only, so the two never meet. {@link StaleBarrels} removes a file only when
 * it can take this byte exclusively. Pid and start time cannot tell that: two containers of one pod
 * share {@code /dev/shm} but not their pid namespaces, so a JVM of the other container looks dead,
 * while the kernel's lock table is one for all of them. (HotSpot guards its {@code hsperfdata}
 * files against the same mistake the same way.)
 *
 * <pre>
 *   0                                  2^62   2^62+1
 *   +-----------------------------------+------+
 *   | structural lock (exclusive, brief) | live |   (locks, not data: the file ends far below)
 *   +-----------------------------------+------+
 * </pre>
 *
 * <p>These are POSIX record locks ({@code fcntl}), which belong to the process: closing <em>any</em>
 * descriptor of the file in a process drops all of that process's locks on it. A JVM should
 * therefore have one read-write handle per file (the agent does); the sweep also requires the
 * owners' pid and start time to be dead, so a lock lost that way is only a risk across pid
 * namespaces.
 */
final class LivenessLock {

  /** The locked byte: beyond any file this library writes (extents stop far below 2^31). */
  static final long POSITION = 1L << 62;

  private static final long WAIT_MILLIS = 2000;

  private LivenessLock() {}

  /**
   * Takes the shared lock on {@code ch}, a channel opened on {@code path}, and checks that the path
   * still names that file: a sweeper holds the lock exclusively only while it unlinks a stale file,
   * so a file that was swept between our open and our lock is no longer at the path.
   *
   * @param atOpen {@link #fileKey} of the path read right after the channel was opened
   * @return false when the file was removed from under us (open it again)
   * @throws IOException when a sweeper holds the lock for more than two seconds (a stopped process)
   */
  static boolean hold(Path path, FileChannel ch, Object atOpen) throws IOException {
    if (atOpen == null) {
      return false;
    }
    long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000L;
    while (true) {
      try {
        if (ch.tryLock(POSITION, 1, true) != null) {
          break;
        }
      } catch (OverlappingFileLockException heldByThisJvm) {
        break; // another handle of this JVM holds it: the process is marked alive already
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IOException(path + ": another process has held its liveness lock exclusively for "
            + WAIT_MILLIS + " ms (a stale-file sweep that stopped half-way?)");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException(path + ": interrupted while taking its liveness lock");
      }
    }
    return atOpen.equals(fileKey(path));
  }

  /**
   * The exclusive lock a sweeper needs before it may remove a file, or null when a process holds
   * the shared one (or this JVM holds any lock on that byte).
   */
  static FileLock tryExclusive(FileChannel ch) throws IOException {
    try {
      return ch.tryLock(POSITION, 1, false);
    } catch (OverlappingFileLockException heldByThisJvm) {
      return null;
    }
  }

  /** The file's identity (device and inode), or null when nothing is at {@code path}. */
  static Object fileKey(Path path) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return Objects.requireNonNullElse(a.fileKey(), path); // no file keys on this platform: names only
    } catch (NoSuchFileException gone) {
      return null;
    }
  }
}
