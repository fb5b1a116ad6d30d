package dev.rainbarrel.shm;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BarrelTest {
  @TempDir Path dir;

  @Test
  void counterIsOneSlotPerNameAndSurvivesReopen() throws IOException {
    Path f = dir.resolve("a.barrel");
    try (Barrel b = Barrel.open(f)) {
      Counter r = b.counter("requests");
      assertEquals(1, r.increment());
      assertEquals(6, r.add(5));
      assertSame(r, b.counter("requests"));
      assertEquals(6, r.get());
      Counter labelled = b.counter("requests", "127.0.0.1:80");
      assertEquals(0, labelled.get());
      labelled.increment();
      assertEquals(6, r.get());
    }
    try (Barrel b = Barrel.open(f)) {
      assertEquals(6, b.counter("requests").get(), "a counter belongs to the file and persists");
      assertEquals(1, b.counter("requests", "127.0.0.1:80").get());
    }
  }

  @Test
  void twoMappingsInOneProcessShareTheSlot() throws IOException {
    Path f = dir.resolve("b.barrel");
    try (Barrel a = Barrel.open(f); Barrel b = Barrel.open(f)) {
      a.counter("x").add(3);
      assertEquals(3, b.counter("x").get());
      b.counter("x").increment();
      assertEquals(4, a.counter("x").get());
    }
  }

  @Test
  void valuesWrapLikeUnsigned64() throws IOException {
    try (Barrel b = Barrel.open(dir.resolve("w.barrel"))) {
      Counter c = b.counter("c");
      assertEquals(-1L, c.decrement());
      assertEquals("18446744073709551615", Long.toUnsignedString(c.get()));
      assertEquals(0L, c.increment());
    }
  }

  @Test
  void gaugeSlotsArePerProcessAndFreedOnClose() throws IOException {
    Path f = dir.resolve("g.barrel");
    try (Barrel a = Barrel.open(f)) {
      Gauge calling = a.gauge("calling");
      calling.increment();
      calling.increment();
      assertEquals(1, calling.decrement());
      assertEquals(1, calling.sum());
      try (Barrel b = Barrel.open(f)) {
        // Same process, second mapping: its own gauge handle finds this process's slot.
        assertEquals(1, b.gauge("calling").get());
        assertEquals(1, b.gauge("calling").sum());
      }
    }
    try (Barrel r = Barrel.openReadOnly(f)) {
      assertTrue(r.slots().stream().noneMatch(s -> s.kind() == BarrelEntry.Kind.GAUGE),
          "closing frees this process's gauge slots: " + r.slots());
    }
  }

  @Test
  void growsBeyondOneExtentAndOthersSeeTheNewSlots() throws IOException {
    Path f = dir.resolve("grow.barrel");
    int n = BarrelLayout.SLOTS_PER_EXTENT * 2 + 10;
    try (Barrel a = Barrel.open(f); Barrel reader = Barrel.openReadOnly(f)) {
      assertEquals(BarrelLayout.SLOTS_PER_EXTENT, reader.slotCapacity());
      for (int i = 0; i < n; i++) {
        a.counter("c" + i).add(i);
      }
      List<BarrelEntry> entries = reader.entries();
      assertEquals(n, entries.size());
      for (int i = 0; i < n; i++) {
        assertEquals("c" + i, entries.get(i).name());
        assertEquals(i, entries.get(i).value());
      }
      assertEquals(BarrelLayout.SLOTS_PER_EXTENT * 3, reader.slotCapacity());
      assertEquals(n, reader.slotsUsed());
    }
  }

  @Test
  void readOnlyViewRefusesWritesAndNeverCreates() throws IOException {
    Path f = dir.resolve("ro.barrel");
    assertThrows(java.nio.file.NoSuchFileException.class, () -> Barrel.openReadOnly(f));
    assertFalse(Files.exists(f));
    try (Barrel w = Barrel.open(f)) {
      w.counter("a").add(2);
    }
    try (Barrel r = Barrel.openReadOnly(f)) {
      assertEquals(List.of(new BarrelEntry(BarrelEntry.Kind.COUNTER, "a", "", 2, 0)), r.entries());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.counter("b"));
      assertTrue(e.getMessage().contains("read-only"), e.getMessage());
    }
  }

  @Test
  void handlesThrowAfterClose() throws IOException {
    Barrel b = Barrel.open(dir.resolve("c.barrel"));
    Counter c = b.counter("x");
    Gauge g = b.gauge("y");
    b.close();
    b.close(); // idempotent
    assertThrows(IllegalStateException.class, c::increment);
    assertThrows(IllegalStateException.class, c::get);
    assertThrows(IllegalStateException.class, g::increment);
    assertThrows(IllegalStateException.class, () -> b.counter("z"));
  }

  @Test
  void badNamesAreRejectedWithTheName() throws IOException {
    try (Barrel b = Barrel.open(dir.resolve("n.barrel"))) {
      assertThrows(IllegalArgumentException.class, () -> b.counter(""));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> b.counter("x".repeat(65)));
      assertTrue(e.getMessage().contains("xxxx"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> b.counter("ok", "l".repeat(129)));
    }
  }

  @Test
  void removedCounterFreesItsSlot() throws IOException {
    try (Barrel b = Barrel.open(dir.resolve("rm.barrel"))) {
      b.counter("gone").add(9);
      assertTrue(b.removeCounter("gone", ""));
      assertFalse(b.removeCounter("gone", ""));
      assertEquals(0, b.slotsUsed());
      assertEquals(0, b.counter("gone").get(), "a re-created counter starts at zero");
    }
  }

  @Test
  void blocksAreNamedFileOwnedRegions() throws IOException {
    Path f = dir.resolve("blk.barrel");
    try (Barrel b = Barrel.open(f)) {
      Block blk = b.block("request_duration", 7, 1000, x -> x.buffer().putLong(x.offset(), 0xABCDL));
      assertEquals(0, blk.offset() % 64);
      assertTrue(blk.length() >= 1000);
      Block again = b.block("request_duration", 7, 1000, x -> fail("formatted twice"));
      assertEquals(0xABCDL, again.buffer().getLong(again.offset()));
      assertThrows(IllegalStateException.class, () -> b.block("request_duration", 8, 10, null));
      b.counter("after-block").increment();
    }
    try (Barrel r = Barrel.openReadOnly(f)) {
      assertEquals(1, r.blocks().size());
      assertEquals("request_duration", r.blocks().get(0).name());
      assertEquals(7, r.blocks().get(0).type());
      assertEquals(1, r.entries().get(0).value());
    }
  }

  @Test
  void filesArePrivateAndDefaultDirectoryIs0700() throws IOException {
    Path sub = dir.resolve("rainbarrel-test");
    Path f = sub.resolve("p.barrel");
    try (Barrel b = Barrel.open(f)) {
      b.counter("x");
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertTrue(Barrel.defaultPath(1234).toString().endsWith("rainbarrel-"
        + System.getProperty("user.name") + "/1234.barrel"), Barrel.defaultPath(1234).toString());
  }

  @Test
  void attachTableListsThisProcess() throws IOException {
    try (Barrel b = Barrel.open(dir.resolve("att.barrel"))) {
      List<Attachment> att = b.attachments();
      assertEquals(1, att.size());
      assertEquals(ProcessHandle.current().pid(), att.get(0).pid());
      assertTrue(att.get(0).alive());
      assertEquals(ProcessHandle.current().pid(), b.creatorPid());
    }
  }

  @Test
  void slotNumbersAreUnique() throws IOException {
    try (Barrel b = Barrel.open(dir.resolve("u.barrel"))) {
      for (int i = 0; i < 300; i++) {
        b.counter("k" + i);
        if (i % 3 == 0) {
          b.gauge("g" + i);
        }
      }
      Set<Integer> numbers = new HashSet<>();
      for (BarrelSlot s : b.slots()) {
        assertTrue(numbers.add(s.number()), "slot " + s.number() + " listed twice");
      }
      assertEquals(400, numbers.size());
    }
  }
}
