package dev.rainbarrel.shm;

import static dev.rainbarrel.shm.BarrelLayout.H_CREATOR;
import static dev.rainbarrel.shm.BarrelLayout.H_MAGIC;
import static dev.rainbarrel.shm.BarrelLayout.HEADER_LENGTH;
import static dev.rainbarrel.shm.BarrelLayout.MAGIC;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes the per-process files ({@code <pid>.barrel}) that processes killed with SIGKILL, or
 * crashed, left behind in a directory, as HotSpot removes stale {@code hsperfdata} files when a JVM
 * starts. The agent sweeps the default directory once at start-up.
 *
 * <p>A file is removed only when every one of these holds:
 *
 * <ol>
 *   <li>its name is {@code <pid>.barrel} and the pid is not this process's (files given with
 *       {@code file=} under other names are never touched);
 *   <li>it is a regular file of the current user (no link), and this JVM has no handle on it;
 *   <li>it is a Barrel (its magic), or an empty file older than {@link #MIN_AGE_MILLIS} (a creator
 *       that died between creating and initialising it; younger ones may be being created);
 *   <li>no process in its attach table, and not its creator, is alive by pid and start time;
 *   <li>no process holds its {@link LivenessLock} (this is what protects a live JVM of another pid
 *       namespace sharing the directory), and the path still names the file that was locked.
 * </ol>
 *
 * Every check that fails leaves the file as it is; a sweep never throws for one file's sake.
 */
public final class StaleBarrels {

  /** An empty {@code <pid>.barrel} younger than this may be in the middle of its creation. */
  static final long MIN_AGE_MILLIS = 10_000;

  private static final Pattern PER_PROCESS = Pattern.compile("[1-9][0-9]{0,9}\\.barrel");

  private StaleBarrels() {}

  /**
   * Sweeps {@code dir} (nothing happens when it does not exist).
   *
   * @return the files removed
   */
  public static List<Path> sweep(Path dir) {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return removed;
    }
    String own = ProcessHandle.current().pid() + ".barrel";
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (!name.equals(own) && PER_PROCESS.matcher(name).matches()) {
          try {
            if (removeIfStale(f)) {
              removed.add(f);
            }
          } catch (IOException | RuntimeException e) {
            // unreadable, foreign or racing with its owner: leave it
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // the directory went away or cannot be listed: nothing to sweep
    }
    return removed;
  }

  /** Removes {@code file} if it passes every check of the class comment. */
  static boolean removeIfStale(Path file) throws IOException {
    Object key = LivenessLock.fileKey(file);
    // Closing our channel below never drops a lock of this JVM's own handles: there are none on
    // this file, and none can appear until we are done.
    return key != null && Barrel.unlessOpenInThisJvm(key, () -> removeIfStale(file, key));
  }

  private static boolean removeIfStale(Path file, Object key) throws IOException {
    // The owner and link checks of every other open; write access because an exclusive lock needs it.
    FileChannel ch = SecureFiles.openExistingPrivateFile(file);
    try (ch) {
      long size = ch.size();
      if (size == 0) {
        long age = System.currentTimeMillis() - Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis();
        if (age < MIN_AGE_MILLIS) {
          return false;
        }
      } else if (size < HEADER_LENGTH) {
        return false; // not ours to judge
      }
      try (FileLock exclusive = LivenessLock.tryExclusive(ch)) {
        if (exclusive == null || !key.equals(LivenessLock.fileKey(file))) {
          return false; // a live process has it open, or the name now belongs to another file
        }
        // Read under the lock: a process that attaches from now on waits for it, then finds the
        // file gone and creates a new one.
        if (size > 0 && anyOwnerAlive(file, ch)) {
          return false;
        }
        try {
          Files.delete(file);
        } catch (NoSuchFileException alreadySwept) {
          return false;
        }
        return true;
      }
    }
  }

  /** Whether the creator or an attached process of the Barrel at {@code file} is alive here. */
  static boolean anyOwnerAlive(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      return anyOwnerAlive(file, ch);
    }
  }

  private static boolean anyOwnerAlive(Path file, FileChannel ch) throws IOException {
    ByteBuffer h;
    try {
      h = Barrel.readHeader(file, ch, ch.size());
    } catch (BarrelFormatException shrankUnderUs) {
      return true; // something is going on: leave it
    }
    if (h.getLong(H_MAGIC) != MAGIC) {
      return true; // not a Barrel: not ours to judge
    }
    long creator = h.getLong(H_CREATOR);
    return (creator > 0 && ProcessIdentity.isAlive(creator)) || AttachTable.anyAlive(h);
  }
}
