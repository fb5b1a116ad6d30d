package dev.rainbarrel.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.testing.ChildJvm;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The sweep of per-process files left by killed processes, and the liveness lock that guards it. */
class StaleBarrelsTest {

  @TempDir Path dir;

  /** A JVM killed with SIGKILL leaves its file; the next sweep removes it, a live JVM's file stays. */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void theFileOfAKilledProcessIsRemovedAndALiveOnesKept() throws Exception {
    try (ChildJvm dead = ChildJvm.start(BarrelChild.class, "keep", dir.toString());
        ChildJvm live = ChildJvm.start(BarrelChild.class, "keep", dir.toString())) {
      Path deadFile = Path.of(dead.await("ready ", 30).substring(6));
      Path liveFile = Path.of(live.await("ready ", 30).substring(6));
      assertEquals(List.of(), StaleBarrels.sweep(dir), "both owners are alive");
      dead.kill9();
      assertTrue(Files.exists(deadFile), "SIGKILL runs no clean-up: the file is left");

      assertEquals(List.of(deadFile), StaleBarrels.sweep(dir));
      assertFalse(Files.exists(deadFile));
      assertTrue(Files.exists(liveFile));
      try (Barrel b = Barrel.openReadOnly(liveFile)) {
        assertEquals(3, b.entries().stream().filter(e -> e.name().equals("requests")).findFirst().orElseThrow().value(),
            "the live process's file is intact");
      }
    }
  }

  /**
   * A process whose pid and start time look dead from here (as a JVM of another pid namespace
   * does) but which has the file open: its liveness lock keeps the file; once it has died, the
   * file goes.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aLiveProcessThatLooksDeadByPidKeepsItsFile() throws Exception {
    Path file = dir.resolve("999999999.barrel"); // above any pid_max: never a live pid here
    try (ChildJvm other = ChildJvm.start(BarrelChild.class, "keep", file.toString())) {
      other.await("ready ", 30);
      ghostStamps(file);
      assertFalse(StaleBarrels.anyOwnerAlive(file), "every stamp in the file now looks dead");

      assertEquals(List.of(), StaleBarrels.sweep(dir), "the liveness lock alone keeps the file");
      assertTrue(Files.exists(file));
      other.kill9();
      assertEquals(List.of(file), StaleBarrels.sweep(dir));
      assertFalse(Files.exists(file));
    }
  }

  /**
   * A sweep in a JVM that has the file open itself never touches it: opening and closing a channel
   * of its own would drop that JVM's lock on the file (POSIX), and another process's sweep would
   * then remove a file in use. Here every stamp looks dead, so only the lock keeps the file.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aSweepNeverDropsItsOwnJvmsLock() throws Exception {
    Path file = dir.resolve("999999993.barrel");
    try (Barrel mine = Barrel.open(file)) {
      mine.counter("requests").increment();
      ghostStamps(file);
      assertEquals(List.of(), StaleBarrels.sweep(dir), "this JVM has it open");
      try (ChildJvm other = ChildJvm.start(BarrelChild.class, "sweep", dir.toString())) {
        assertEquals("removed []", other.await("removed ", 30), "this JVM still holds the liveness lock");
      }
      assertEquals(1, mine.counter("requests").get());
    }
    try (ChildJvm other = ChildJvm.start(BarrelChild.class, "sweep", dir.toString())) {
      assertEquals("removed [" + file + "]", other.await("removed ", 30), "closed: stale now");
    }
  }

  /**
   * Makes the creator and every attached process of {@code file} look dead from here, from another
   * process: a descriptor this JVM closed would drop this JVM's own locks on the file.
   */
  private static void ghostStamps(Path file) throws Exception {
    try (ChildJvm c = ChildJvm.start(BarrelChild.class, "ghost", file.toString())) {
      c.awaitLine("done", 30);
    }
  }

  /** What is not a stale per-process Barrel stays exactly as it is. */
  @Test
  void everythingElseIsLeftAlone() throws Exception {
    Path own = dir.resolve(ProcessHandle.current().pid() + ".barrel");
    Path otherName = dir.resolve("web.barrel");
    Path notAPid = dir.resolve("12x.barrel");
    Path foreign = dir.resolve("999999998.barrel");
    Path freshEmpty = dir.resolve("999999997.barrel");
    Path oldEmpty = dir.resolve("999999996.barrel");
    Path link = dir.resolve("999999995.barrel");
    byte[] random = new byte[8192];
    new Random(7).nextBytes(random);
    try (Barrel mine = Barrel.open(own)) {
      mine.counter("requests").increment();
      try (ChildJvm dead = ChildJvm.start(BarrelChild.class, "keep", otherName.toString())) {
        dead.await("ready ", 30);
        dead.kill9(); // stale, but not named after a pid: file= files are never swept
      }
      Files.write(notAPid, new byte[0]);
      Files.write(foreign, random);
      Files.write(freshEmpty, new byte[0]);
      Files.write(oldEmpty, new byte[0]);
      Files.setLastModifiedTime(oldEmpty, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
      Files.createSymbolicLink(link, oldEmpty);

      assertEquals(List.of(oldEmpty), StaleBarrels.sweep(dir),
          "only the empty file old enough to be a creator's remains goes");
      for (Path p : List.of(own, otherName, notAPid, foreign, freshEmpty)) {
        assertTrue(Files.exists(p), p + " was removed");
      }
      assertTrue(Files.isSymbolicLink(link), "the link is left");
      assertTrue(java.util.Arrays.equals(random, Files.readAllBytes(foreign)), "the foreign file changed");
      assertEquals(1, mine.counter("requests").get());
    }
  }

  @Test
  void aMissingDirectoryIsNothingToSweep() {
    assertEquals(List.of(), StaleBarrels.sweep(dir.resolve("none")));
  }

  /**
   * A file swept between an opener's open and its lock: the opener notices (the path names
   * another file, or none) and opens again, so it never counts into an unlinked file.
   */
  @Test
  void anOpenerWhoseFileWasSweptOpensAgain() throws Exception {
    Path file = dir.resolve("999999994.barrel");
    try (Barrel b = Barrel.open(file)) {
      b.counter("requests").increment();
    }
    try (FileChannel ch = SecureFiles.openExistingPrivateFile(file)) {
      Object atOpen = LivenessLock.fileKey(file);
      Files.delete(file);
      assertFalse(LivenessLock.hold(file, ch, atOpen), "the path names no file any more");
      Files.write(file, new byte[0]); // a new file under the same name
      assertFalse(LivenessLock.hold(file, ch, atOpen), "the path names another file");
    }
    Files.delete(file);
    try (Barrel b = Barrel.open(file)) {
      assertEquals(0, b.counter("requests").get(), "a fresh file");
      assertTrue(Barrel.openInThisJvm(LivenessLock.fileKey(file)));
    }
    assertFalse(Barrel.openInThisJvm(LivenessLock.fileKey(file)), "closed handles are forgotten");
  }

  /** Two handles of one file in one JVM: the second finds the liveness byte held by the first. */
  @Test
  void twoHandlesInOneJvmShareTheLiveness() throws Exception {
    Path file = dir.resolve("shared.barrel");
    try (Barrel a = Barrel.open(file); Barrel b = Barrel.open(file)) {
      a.counter("requests").increment();
      b.counter("requests").increment();
      assertEquals(2, a.counter("requests").get());
    }
  }
}
