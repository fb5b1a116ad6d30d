package dev.rainbarrel.shm;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad file is refused with a message naming the file and the problem. */
class BarrelBadFileTest {
  @TempDir Path dir;

  private Path good() throws IOException {
    Path f = dir.resolve("good.barrel");
    try (Barrel b = Barrel.open(f)) {
      b.counter("requests").add(3);
    }
    return f;
  }

  private static void assertRefused(Path f, String expected) {
    for (boolean readOnly : new boolean[] {false, true}) {
      IOException e = assertThrows(IOException.class,
          () -> (readOnly ? Barrel.openReadOnly(f) : Barrel.open(f)).close());
      assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
      assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
  }

  private static void patchInt(Path f, int offset, int value) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), offset);
    }
  }

  @Test
  void truncatedHeader() throws IOException {
    Path f = good();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(100);
    }
    assertRefused(f, "truncated: 100 bytes");
  }

  @Test
  void truncatedExtent() throws IOException {
    Path f = good();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(BarrelLayout.HEADER_LENGTH + 8192);
    }
    assertRefused(f, "truncated: extent 0 ends at byte");
  }

  @Test
  void zeroFilled() throws IOException {
    Path f = dir.resolve("zero.barrel");
    Files.write(f, new byte[200_000]);
    assertRefused(f, "zero-filled");
  }

  @Test
  void randomBytes() throws IOException {
    Path f = dir.resolve("random.barrel");
    byte[] b = new byte[100_000];
    new Random(42).nextBytes(b);
    Files.write(f, b);
    assertRefused(f, "not a barrel file");
    assertArrayEquals(b, Files.readAllBytes(f), "a foreign file is never modified");
  }

  @Test
  void wrongMagic() throws IOException {
    Path f = good();
    patchInt(f, 0, 0x12345678);
    assertRefused(f, "not a barrel file");
  }

  @Test
  void newerVersion() throws IOException {
    Path f = good();
    patchInt(f, BarrelLayout.H_VERSION, 99);
    assertRefused(f, "format version 99 is newer");
  }

  @Test
  void versionThreeIsRefusedNamingBothVersions() throws IOException {
    Path f = good();
    patchInt(f, BarrelLayout.H_VERSION, 3);
    assertRefused(f, "format version 3 is newer than this library reads (2)");
  }

  @Test
  void slotSizeMismatch() throws IOException {
    Path f = good();
    patchInt(f, BarrelLayout.H_SLOT_SIZE, 128);
    assertRefused(f, "slot size is 128");
  }

  @Test
  void corruptExtentTable() throws IOException {
    Path f = good();
    patchInt(f, BarrelLayout.EXTENT_TABLE_OFFSET + 12, 77);
    assertRefused(f, "corrupt extent table entry 0");
  }

  @Test
  void emptyFileIsCreatedByWriterButRefusedByReader() throws IOException {
    Path f = dir.resolve("empty.barrel");
    Files.createFile(f);
    IOException e = assertThrows(IOException.class, () -> Barrel.openReadOnly(f));
    assertTrue(e.getMessage().contains("empty file"), e.getMessage());
    try (Barrel b = Barrel.open(f)) {
      assertEquals(1, b.counter("x").increment());
    }
  }

  @Test
  void creatorThatDiedBeforeReadyIsReinitialisedByTheNextWriter() throws IOException {
    Path f = good();
    patchInt(f, BarrelLayout.H_READY, 0);
    long t0 = System.nanoTime();
    IOException e = assertThrows(IOException.class, () -> Barrel.openReadOnly(f));
    assertTrue(e.getMessage().contains("not initialised"), e.getMessage());
    assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "the reader's wait is bounded");
    try (Barrel b = Barrel.open(f)) {
      assertEquals(1, b.counter("x").increment());
    }
  }

  @Test
  void symbolicLinksAreRefused() throws IOException {
    Path f = good();
    Path link = dir.resolve("link.barrel");
    Files.createSymbolicLink(link, f);
    assertRefused(link, "symbolic link");
    Path linkDir = dir.resolve("linkdir");
    Files.createSymbolicLink(linkDir, dir);
    IOException e = assertThrows(IOException.class, () -> SecureFiles.ensurePrivateDirectory(linkDir));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
  }

  @Test
  void fileOwnedBySomeoneElseIsRefused() throws IOException {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
    Path f = good();
    Files.setAttribute(f, "unix:uid", 65534);
    assertRefused(f, "owned by uid 65534");
  }

  @Test
  void directoryOpenToOthersIsRefused() throws IOException {
    Path d = dir.resolve("open");
    Files.createDirectory(d);
    Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    IOException e = assertThrows(IOException.class, () -> SecureFiles.ensurePrivateDirectory(d));
    assertTrue(e.getMessage().contains("accessible to other users"), e.getMessage());
  }
}
