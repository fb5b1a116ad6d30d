package dev.rainbarrel.arena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Damaged arena files are refused with the file and the problem named, and left untouched. */
@Timeout(30)
class ArenaCorruptFileTest {

  @TempDir Path dir;

  private Path goodFile() throws Exception {
    Path f = dir.resolve("good.arena");
    try (Arena a = Arena.open(f, Arena.Options.defaults().capacity(1 << 14))) {
      a.detach(a.allocate(100));
    }
    return f;
  }

  private void assertRefused(Path f, String problem) throws Exception {
    byte[] before = Files.readAllBytes(f);
    ArenaFormatException e =
        assertThrows(ArenaFormatException.class, () -> Arena.open(f, Arena.Options.defaults()));
    assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
    assertEquals(f, e.file());
    assertArrayEquals(before, Files.readAllBytes(f), "a refused file must not be modified");
  }

  private static void patch(Path f, int offset, ByteBuffer bytes) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.write(bytes, offset);
    }
  }

  @Test
  void truncatedBelowTheHeader() throws Exception {
    Path f = goodFile();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(100);
    }
    assertRefused(f, "truncated: 100 bytes");
  }

  @Test
  void truncatedInsideTheData() throws Exception {
    Path f = goodFile();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(4096);
    }
    assertRefused(f, "truncated: 4096 bytes on disk but the header says 16384");
  }

  @Test
  void zeroFilled() throws Exception {
    Path f = dir.resolve("zero.arena");
    Files.write(f, new byte[1 << 14]);
    assertRefused(f, "zero-filled");
  }

  @Test
  void randomBytes() throws Exception {
    Path f = dir.resolve("random.arena");
    byte[] junk = new byte[1 << 14];
    new Random(7).nextBytes(junk);
    Files.write(f, junk);
    assertRefused(f, "wrong magic");
  }

  @Test
  void wrongMagic() throws Exception {
    Path f = goodFile();
    patch(f, 0, ByteBuffer.wrap("NOTARENA".getBytes("US-ASCII")));
    assertRefused(f, "wrong magic 0x414e455241544f4e");
  }

  @Test
  void newerVersion() throws Exception {
    Path f = goodFile();
    patch(f, Arena.VERSION_OFFSET, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 99));
    assertRefused(f, "format version 99 is newer than this library supports (" + Arena.VERSION + ")");
  }

  @Test
  void inconsistentFields() throws Exception {
    Path f = goodFile();
    patch(f, Arena.KIND_OFFSET, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 7));
    assertRefused(f, "unknown freelist kind 7");
    Files.delete(f);
    f = goodFile();
    patch(f, Arena.BUMP_OFFSET, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 30));
    assertRefused(f, "bump pointer");
  }

  @Test
  void aFileLargerThanTheTwoGibThisLibraryMapsIsRefused() throws Exception {
    Path f = goodFile();
    long big = 3L << 30;
    patch(f, Arena.CAPACITY_OFFSET, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, big));
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[1]), big - 1); // sparse: as large as its header says
    }
    byte[] head = new byte[1 << 14];
    try (var in = Files.newInputStream(f)) {
      assertEquals(head.length, in.readNBytes(head, 0, head.length));
    }
    ArenaFormatException e =
        assertThrows(ArenaFormatException.class, () -> Arena.open(f, Arena.Options.defaults()));
    assertTrue(e.getMessage().startsWith(f + ": capacity 3221225472 exceeds the 2 GiB this library can map"),
        e.getMessage());
    assertEquals(big, Files.size(f), "a refused file keeps its size");
    byte[] after = new byte[head.length];
    try (var in = Files.newInputStream(f)) {
      assertEquals(after.length, in.readNBytes(after, 0, after.length));
    }
    assertArrayEquals(head, after, "a refused file must not be modified");
  }

  @Test
  void aGoodFileStillOpensAndAnEmptyFileIsFormatted() throws Exception {
    Path f = goodFile();
    try (Arena a = Arena.open(f, Arena.Options.defaults())) {
      assertEquals(1, a.detached().size());
    }
    Path empty = dir.resolve("empty.arena");
    Files.write(empty, new byte[0]);
    try (Arena a = Arena.open(empty, Arena.Options.defaults().capacity(8192))) {
      assertEquals(8192, Files.size(empty));
      assertTrue(a.allocate(100) > 0);
    }
  }
}
