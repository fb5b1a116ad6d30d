package dev.rainbarrel.shm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;

/**
 * Opens shared files the way HotSpot treats hsperfdata: private directories (0700) and files
 * (0600) owned by the current user, never through a symbolic link, so that another local user can
 * neither read the counters nor plant a file or link for us to write through.
 *
 * <p>Every refusal is an {@link IOException} whose message names the path and the reason.
 */
public final class SecureFiles {

  private static final boolean POSIX =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final FileAttribute<Set<PosixFilePermission>> DIR_0700 =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<Set<PosixFilePermission>> FILE_0600 =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private SecureFiles() {}

  /** The default directory: {@code /dev/shm/rainbarrel-<user>} if /dev/shm exists, else under java.io.tmpdir. */
  public static Path defaultDirectory() {
    String user = System.getProperty("user.name", "unknown").replaceAll("[^A-Za-z0-9._-]", "_");
    Path shm = Path.of("/dev/shm");
    Path base = Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    return base.resolve("rainbarrel-" + user);
  }

  /**
   * Creates {@code dir} with mode 0700 if missing; otherwise checks that it is a real directory
   * (not a link), owned by us, and not open to group or others.
   */
  public static void ensurePrivateDirectory(Path dir) throws IOException {
    if (Files.isSymbolicLink(dir)) {
      throw new IOException(dir + ": refusing a directory that is a symbolic link");
    }
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      try {
        if (POSIX) {
          Files.createDirectory(dir, DIR_0700);
        } else {
          Files.createDirectory(dir);
        }
      } catch (FileAlreadyExistsException raced) {
        // another process made it first: check it like any existing directory
      } catch (NoSuchFileException e) {
        throw new IOException(dir + ": parent directory does not exist", e);
      }
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(dir + ": exists and is not a directory");
    }
    checkOwner(dir);
    if (POSIX) {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
      Set<PosixFilePermission> open = new HashSet<>(p);
      open.retainAll(
          Set.of(
              PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
              PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
              PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE));
      if (!open.isEmpty()) {
        throw new IOException(
            dir + ": directory is accessible to other users (mode "
                + PosixFilePermissions.toString(p) + "); expected rwx------");
      }
    }
  }

  /**
   * Opens {@code file} read-write, creating it with mode 0600 if it does not exist. Refuses a
   * symbolic link, a non-regular file, and a file owned by another user.
   *
   * @return the channel; {@link #created} tells whether this call made the file
   */
  public static Opened openPrivateFile(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IOException(file + ": refusing a file that is a symbolic link");
    }
    Set<OpenOption> create =
        Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
            LinkOption.NOFOLLOW_LINKS);
    try {
      FileChannel ch = POSIX ? FileChannel.open(file, create, FILE_0600) : FileChannel.open(file, create);
      return new Opened(ch, true);
    } catch (FileAlreadyExistsException exists) {
      // fall through to open the existing file
    }
    checkRegularOwned(file);
    FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    return new Opened(ch, false);
  }

  /** Opens an existing file read-write (never creating it), with the same link and owner checks. */
  public static FileChannel openExistingPrivateFile(Path file) throws IOException {
    checkRegularOwned(file);
    return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }

  /** Opens an existing file for reading only, with the same link and owner checks. */
  public static FileChannel openPrivateFileReadOnly(Path file) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(file.toString(), null, "no such file");
    }
    checkRegularOwned(file);
    return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
  }

  private static void checkRegularOwned(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IOException(file + ": refusing a file that is a symbolic link");
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(file + ": not a regular file");
    }
    checkOwner(file);
  }

  private static void checkOwner(Path p) throws IOException {
    if (!POSIX) {
      return;
    }
    Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    Object mine = currentUid();
    if (mine != null && !mine.equals(uid)) {
      throw new IOException(p + ": owned by uid " + uid + ", not by the current user (uid " + mine + ")");
    }
  }

  private static Object currentUid() {
    try {
      // /proc/self is owned by the process's effective uid.
      return Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null;
    }
  }

  /** A channel and whether this open created the file. */
  public static final class Opened {
    /** The open channel, read-write. */
    public final FileChannel channel;
    /** True when the file did not exist and was created by this open. */
    public final boolean created;

    Opened(FileChannel channel, boolean created) {
      this.channel = channel;
      this.created = created;
    }
  }
}
