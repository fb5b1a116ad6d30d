package dev.rainbarrel.shm;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** raindrops' Raindrops behaviours, plus the file layout at the slot stride. */
class CounterArrayTest {
  @TempDir Path dir;

  @Test
  void incrDecrReturnNewValuesAndWrapAt2To64() {
    CounterArray a = CounterArray.create(4);
    assertEquals(1, a.incr(0));
    assertEquals(6, a.incr(0, 5));
    assertEquals(4, a.decr(0, 2));
    assertEquals(3, a.decr(0));
    assertEquals(-1L, a.decr(1), "decr at 0 wraps to 2^64-1");
    assertEquals("18446744073709551615", Long.toUnsignedString(a.get(1)));
    assertEquals(0L, a.incr(1), "incr at max wraps to 0");
    a.set(2, Long.MAX_VALUE);
    assertEquals(Long.MIN_VALUE, a.incr(2));
    assertArrayEquals(new long[] {3, 0, Long.MIN_VALUE, 0}, a.toArray());
  }

  @Test
  void sizeAndPageRoundedCapacity() throws IOException {
    CounterArray a = CounterArray.create(4);
    assertEquals(4, a.size());
    assertEquals(CounterArray.PAGE_SIZE / CounterArray.SIZE, a.capacity());
    CounterArray b = CounterArray.create(65);
    assertEquals(2 * CounterArray.PAGE_SIZE / CounterArray.SIZE, b.capacity());
    a.incr(3, 9);
    a.resize(64);
    assertEquals(64, a.size());
    assertEquals(64, a.capacity(), "within capacity: no remap");
    assertEquals(9, a.get(3));
    a.resize(200);
    assertEquals(200, a.size());
    assertEquals(256, a.capacity());
    assertEquals(9, a.get(3), "values survive a remap");
    a.incr(199);
    a.resize(2);
    assertThrows(IndexOutOfBoundsException.class, () -> a.get(2));
  }

  @Test
  void outOfRangeNamesIndexAndSize() {
    CounterArray a = CounterArray.create(3);
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> a.incr(3));
    assertEquals("index 3 out of range for size 3", e.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> a.get(-1));
    assertThrows(IllegalArgumentException.class, () -> CounterArray.create(0));
  }

  @Test
  void snapshotIsIndependent() {
    CounterArray a = CounterArray.create(2);
    a.incr(0, 5);
    CounterArray s = a.snapshot();
    a.incr(0);
    s.incr(1, 7);
    assertArrayEquals(new long[] {6, 0}, a.toArray());
    assertArrayEquals(new long[] {5, 7}, s.toArray());
  }

  @Test
  void useAfterCloseThrows() throws IOException {
    CounterArray a = CounterArray.create(2);
    a.close();
    a.close();
    assertThrows(IllegalStateException.class, () -> a.incr(0));
    assertThrows(IllegalStateException.class, () -> a.get(0));
    assertThrows(IllegalStateException.class, a::size);
    assertThrows(IllegalStateException.class, a::toArray);
    assertThrows(IllegalStateException.class, () -> a.resize(4));
  }

  @Test
  void fileReuseKeepsOrZeroesValuesAtTheSlotStride() throws IOException {
    Path f = dir.resolve("drops");
    try (CounterArray a = CounterArray.open(f, 3, true)) {
      a.incr(0, 11);
      a.incr(1, 22);
      a.incr(2, 33);
    }
    ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(CounterArray.PAGE_SIZE, raw.capacity(), "file is page-rounded");
    assertEquals(11, raw.getLong(0));
    assertEquals(22, raw.getLong(CounterArray.SIZE));
    assertEquals(33, raw.getLong(2 * CounterArray.SIZE));
    assertEquals(0, raw.getLong(8), "the rest of each slot is padding");
    try (CounterArray keep = CounterArray.open(f, 3, false)) {
      assertArrayEquals(new long[] {11, 22, 33}, keep.toArray());
    }
    try (CounterArray zero = CounterArray.open(f, 3, true)) {
      assertArrayEquals(new long[] {0, 0, 0}, zero.toArray());
    }
    raw = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 3; i++) {
      assertEquals(0, raw.getLong(i * CounterArray.SIZE));
    }
  }

  @Test
  void twoMappingsOfOneFileShareValuesAndFileGrowsOnResize() throws IOException {
    Path f = dir.resolve("shared");
    try (CounterArray a = CounterArray.open(f, 2, true); CounterArray b = CounterArray.open(f, 2, false)) {
      a.incr(1, 4);
      assertEquals(4, b.get(1));
      a.resize(100);
      assertEquals(2 * CounterArray.PAGE_SIZE, Files.size(f));
      a.incr(99);
      assertEquals(4, a.get(1));
    }
  }
}
