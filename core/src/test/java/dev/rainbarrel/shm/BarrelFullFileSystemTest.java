package dev.rainbarrel.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Barrel on a tmpfs too small for it: the open fails with an {@code IOException} that names the
 * file and says the device is full, instead of succeeding on a sparse file whose first write to an
 * unallocated page would later raise SIGBUS in whichever thread made it. Needs a tmpfs mount of
 * its own (root on Linux); skipped, saying why, where it cannot mount one.
 */
class BarrelFullFileSystemTest {
  @TempDir Path dir;
  private Path mount;

  @BeforeEach
  void mountSmallTmpfs() throws Exception {
    assumeTrue(System.getProperty("os.name").startsWith("Linux"), "needs Linux tmpfs");
    mount = dir.resolve("small");
    java.nio.file.Files.createDirectory(mount);
    // 64 KiB: room for the header, not for the first counter extent
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString()) == 0,
        "cannot mount a tmpfs here (needs root)");
  }

  @AfterEach
  void unmount() throws Exception {
    if (mount != null) {
      // lazy: the JVM keeps a closed Barrel's pages mapped until they are collected
      run("umount", "-l", mount.toString());
    }
  }

  @Test
  void openOnAFullTmpfsFailsWithTheFileAndTheReason() {
    Path f = mount.resolve("x.barrel");
    IOException e = assertThrows(IOException.class, () -> Barrel.open(f).close());
    assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
    assertTrue(e.getMessage().contains("No space left on device"), "says why: " + e.getMessage());
  }

  @Test
  void aBarrelThatFitsStillOpens() throws Exception {
    assertEquals(0, run("umount", "-l", mount.toString()));
    assertEquals(0, run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()));
    try (Barrel b = Barrel.open(mount.resolve("x.barrel"))) {
      b.counter("requests").add(2);
      assertEquals(2, b.counter("requests").get());
    }
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
