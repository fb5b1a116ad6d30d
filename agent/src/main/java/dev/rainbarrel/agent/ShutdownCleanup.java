package dev.rainbarrel.agent;

import dev.rainbarrel.shm.Barrel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent's shutdown hook: closes the services and removes the per-process Barrel file, as
 * hsperfdata goes (a stable {@code file=} path stays). Registered from premain, before the bridge
 * is on the bootstrap class path, so this class links no bridge class.
 *
 * <p>A JVM may exit while {@code rainbarrel-start} is still opening the Barrel (the file exists a
 * while before the open returns). So the file is announced before it is opened ({@link
 * #opening}); the hook waits a bounded time for an open under way to return ({@link #opened}) and
 * then removes the announced file; and an open that returns after the hook ran removes the file
 * itself (the fields are volatile, so whichever side comes second sees the other's write).
 */
final class ShutdownCleanup implements Runnable {
  /** How long the hook waits for an open under way; the JVM's exit waits that long at most. */
  private static final long OPEN_WAIT_NANOS = 500_000_000L;

  private static volatile Path perProcessFile;
  private static volatile boolean opening;
  private static volatile boolean exiting;

  private final AutoCloseable services;

  private ShutdownCleanup(AutoCloseable services) {
    this.services = services;
  }

  /** Adds the hook; {@code services} is closed first at exit. */
  static void register(AutoCloseable services) {
    Runtime.getRuntime().addShutdownHook(new Thread(new ShutdownCleanup(services), "rainbarrel-shutdown"));
  }

  /** The Barrel at {@code path} is about to be opened: if it is this process's default file, it goes at exit. */
  static void opening(Path path) {
    Path file = path.toAbsolutePath();
    if (file.equals(Barrel.defaultPath(ProcessHandle.current().pid()).toAbsolutePath())) {
      opening = true;
      perProcessFile = file;
    }
  }

  /**
   * The open announced by {@link #opening} returned or failed (call it in a {@code finally}): if
   * the JVM began to exit meanwhile, the file goes now.
   */
  static void opened() {
    opening = false;
    Path file = perProcessFile;
    if (file != null && exiting) {
      delete(file); // the hook may have run before the file existed
    }
  }

  @Override
  public void run() {
    exiting = true;
    try {
      services.close();
    } catch (Exception ignored) {
      // the JVM is exiting: nothing useful to do
    }
    long deadline = System.nanoTime() + OPEN_WAIT_NANOS;
    while (opening && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        break;
      }
    }
    Path file = perProcessFile;
    if (file != null) {
      delete(file);
    }
  }

  /** Unlinking is enough: the mappings of threads still running stay valid. */
  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (Exception ignored) {
      // the JVM is exiting: nothing useful to do
    }
  }
}
