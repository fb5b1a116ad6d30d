package dev.rainbarrel.shm;

import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.alloc.NumberAllocator;
import dev.rainbarrel.testing.ChildJvm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several real JVMs on one file. */
@Timeout(300)
class BarrelMultiProcessTest {
  @TempDir Path dir;

  private static void closeAll(List<ChildJvm> children) throws InterruptedException {
    for (ChildJvm c : children) {
      c.close();
    }
  }

  @Test
  void fourProcessesTimesTwoThreadsLoseNoIncrement() throws Exception {
    Path f = dir.resolve("inc.barrel");
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        children.add(ChildJvm.start(BarrelChild.class, "increment", f.toString(), "requests", "2", "250000"));
      }
      for (ChildJvm c : children) {
        assertEquals(0, c.waitFor(180), c.output());
      }
    } finally {
      closeAll(children);
    }
    try (Barrel b = Barrel.openReadOnly(f)) {
      assertEquals(List.of(new BarrelEntry(BarrelEntry.Kind.COUNTER, "requests", "", 2_000_000L, 0)), b.entries());
    }
  }

  @Test
  void balancedAddsFromFourProcessesEndAtZero() throws Exception {
    Path f = dir.resolve("bal.barrel");
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        children.add(ChildJvm.start(BarrelChild.class, "increment", f.toString(), "x", "2", "100000", "balanced"));
      }
      for (ChildJvm c : children) {
        assertEquals(0, c.waitFor(180), c.output());
      }
    } finally {
      closeAll(children);
    }
    try (Barrel b = Barrel.openReadOnly(f)) {
      assertEquals(0L, b.entries().get(0).value());
    }
  }

  @Test
  void concurrentRegistrationGivesOneSlotPerName() throws Exception {
    Path f = dir.resolve("reg.barrel");
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        children.add(ChildJvm.start(BarrelChild.class, "register", f.toString(), Integer.toString(i)));
      }
      for (ChildJvm c : children) {
        assertEquals(0, c.waitFor(120), c.output());
      }
    } finally {
      closeAll(children);
    }
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      expected.add("shared-" + i);
      for (int id = 0; id < 4; id++) {
        expected.add("own-" + id + "-" + i);
      }
    }
    try (Barrel b = Barrel.openReadOnly(f)) {
      List<BarrelSlot> slots = b.slots();
      Map<String, Integer> slotOfName = new HashMap<>();
      Set<Integer> numbers = new HashSet<>();
      for (BarrelSlot s : slots) {
        assertNull(slotOfName.put(s.name(), s.number()), "name " + s.name() + " has two slots");
        assertTrue(numbers.add(s.number()), "slot " + s.number() + " has two names");
        assertEquals(s.name().startsWith("shared-") ? 4 : 1, s.value(), s.name());
      }
      assertEquals(expected, slotOfName.keySet());
      assertEquals(250, slots.size());
    }
  }

  @Test
  void killedProcessLeavesNoInflatedGaugesAndNoLeakedNumbers() throws Exception {
    Path f = dir.resolve("kill.barrel");
    Path numbersFile = dir.resolve("numbers.bin");
    int capacity = 100;
    try (FileChannel ch = FileChannel.open(numbersFile, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[NumberAllocator.regionLength(capacity)]), 0);
      NumberAllocator.format(ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size()), 0, capacity);
    }
    try (Barrel survivor = Barrel.open(f)) {
      survivor.gauge("calling").add(1);
      survivor.counter("requests").add(1);
      try (ChildJvm child = ChildJvm.start(BarrelChild.class, "hold", f.toString(), numbersFile.toString())) {
        child.awaitLine("ready", 60);
        assertEquals(6, survivor.gauge("calling").sum(), "live child's gauge counts");
        assertEquals(8, survivor.counter("requests").get());
        child.kill9();
      }
      // Even before reclaim, readers sum live owners only.
      assertEquals(1, survivor.gauge("calling").sum());
      assertEquals(0, survivor.gauge("writing").sum());
      int slotsBefore = survivor.slotsUsed();
      assertEquals(2, survivor.reclaimDeadOwners(), "the child's calling and writing slots");
      assertEquals(slotsBefore - 2, survivor.slotsUsed());
      assertEquals(1, survivor.gauge("calling").sum());
      assertEquals(8, survivor.counter("requests").get(), "counters keep what the dead process added");
      assertTrue(survivor.attachments().stream().allMatch(Attachment::alive), survivor.attachments().toString());
    }
    try (Barrel check = Barrel.openReadOnly(f)) {
      assertEquals(8, check.entries().stream().filter(e -> e.name().equals("requests")).findFirst().orElseThrow().value());
    }
    try (FileChannel ch = FileChannel.open(numbersFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      NumberAllocator a = NumberAllocator.wrap(ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size()), 0);
      assertEquals(10, a.used());
      assertEquals(10, a.reclaimDeadOwners());
      assertEquals(0, a.used());
      Set<Integer> again = new HashSet<>();
      for (int i = 0; i < capacity; i++) {
        again.add(a.allocate());
      }
      assertEquals(capacity, again.size());
      assertFalse(again.contains(NumberAllocator.NO_FREE_NUMBER));
    }
  }

  @Test
  void reaperReclaimsAKilledProcessesGaugesOnItsOwn() throws Exception {
    Path f = dir.resolve("reap.barrel");
    Path numbersFile = dir.resolve("numbers2.bin");
    try (FileChannel ch = FileChannel.open(numbersFile, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[NumberAllocator.regionLength(16)]), 0);
      NumberAllocator.format(ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size()), 0, 16);
    }
    try (Barrel survivor = Barrel.open(f);
        BarrelReaper reaper = BarrelReaper.start(survivor, java.time.Duration.ofMillis(100))) {
      try (ChildJvm child = ChildJvm.start(BarrelChild.class, "hold", f.toString(), numbersFile.toString())) {
        child.awaitLine("ready", 60);
        assertEquals(3, survivor.slotsUsed(), "the child's calling, writing and requests");
        child.kill9();
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      // the reaper frees the slots inside reclaimDeadOwners() and adds to reclaimed() after it
      // returns: wait for both, or the count can be read in between
      while ((survivor.slotsUsed() != 1 || reaper.reclaimed() != 2) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(1, survivor.slotsUsed(), "only the file-owned counter is left");
      assertEquals(2, reaper.reclaimed());
      assertNull(reaper.lastError());
      assertEquals(7, survivor.counter("requests").get());
    }
  }

  @Test
  void aKilledProcessesCounterCellsStayInTheTotalsAndAreAdoptedItsGaugeCellsStopCounting() throws Exception {
    Path f = dir.resolve("cells.barrel");
    try (Barrel survivor = Barrel.open(f)) {
      survivor.counter("requests").add(1);
      try (ChildJvm child = ChildJvm.start(BarrelChild.class, "cells", f.toString(), "2", "1000")) {
        child.awaitLine("ready", 60);
        assertEquals(2001, entry(survivor, "requests"));
        assertEquals(2, entry(survivor, "calling"));
        assertEquals(2, cellSlots(survivor, "requests"));
        assertEquals(2, cellSlots(survivor, "calling"));
        assertEquals(2000, survivor.histogramSnapshots().get("request_duration").count());
        child.kill9();
      }
      assertEquals(0, entry(survivor, "calling"), "a dead process's gauge cells stop counting at once");
      assertEquals(2001, entry(survivor, "requests"), "its counter cells stay in the total");
      assertEquals(2000, survivor.histogramSnapshots().get("request_duration").count(), "and its histogram rows");
      assertEquals(3, survivor.reclaimDeadOwners(), "its two gauge cells and its base calling record");
      assertEquals(0, cellSlots(survivor, "calling"));
      assertEquals(2, cellSlots(survivor, "requests"), "counter cells are never reclaimed");
      int used = survivor.slotsUsed();
      int blocks = survivor.blocks().size();

      ThreadCells cells = ThreadCells.create(survivor, List.of("requests"), List.of(), "request_duration");
      java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread th = new Thread(() -> {
          ThreadCells.Row row = cells.row();
          try {
            together.await(30, java.util.concurrent.TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          row.add(0, 5);
          row.record(7);
        });
        th.start();
        ts.add(th);
      }
      for (Thread th : ts) {
        th.join(60_000);
      }
      assertEquals(2, cells.rowsLeased());
      assertEquals(used, survivor.slotsUsed(), "the dead process's counter cells were adopted, no new slot");
      assertEquals(blocks, survivor.blocks().size(), "and its histogram rows: no new block");
      assertEquals(2, cellSlots(survivor, "requests"));
      assertEquals(2011, entry(survivor, "requests"), "adopted cells kept their values");
      assertEquals(2002, survivor.histogramSnapshots().get("request_duration").count());
    }
  }

  /**
   * A thread's first event never blocks on the file: while another process holds the structural
   * lock (stopped in the middle of a registration, say), the lease gives up after its bound and the
   * thread counts on the shared records, exactly; once the lock is free, a new thread gets a row of
   * its own again.
   */
  @Test
  void aLeaseBlockedByAnotherProcesssLockFallsBackToTheSharedRowWithinItsBound() throws Exception {
    Path f = dir.resolve("locked.barrel");
    try (Barrel b = Barrel.open(f)) {
      ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of("calling"), null);
      ThreadCells.Row[] got = new ThreadCells.Row[1];
      long[] tookMillis = new long[1];
      try (ChildJvm child = ChildJvm.start(BarrelChild.class, "lockstructure", f.toString())) {
        child.awaitLine("ready", 60);
        Thread th = new Thread(() -> {
          long t0 = System.nanoTime();
          got[0] = cells.row();
          tookMillis[0] = (System.nanoTime() - t0) / 1_000_000;
          got[0].add(0, 3);
          got[0].add(1, 1);
        });
        th.start();
        th.join(30_000);
        assertFalse(th.isAlive(), "the first event returned while the lock was held");
        assertTrue(got[0].isShared(), "it went on with the shared row");
        assertTrue(tookMillis[0] >= ThreadCells.LEASE_WAIT_MILLIS && tookMillis[0] < 10_000,
            "waited for its bound, not for the lock: " + tookMillis[0] + " ms");
        assertEquals(1, cells.leaseFailures());
        child.kill9();
      }
      assertEquals(3, entry(b, "requests"), "counted exactly on the shared record");
      assertEquals(1, entry(b, "calling"));
      ThreadCells.Row[] later = new ThreadCells.Row[1];
      Thread th = new Thread(() -> {
        later[0] = cells.row();
        later[0].add(0, 2);
      });
      th.start();
      th.join(30_000);
      assertFalse(later[0].isShared(), "with the lock free a new thread leases a row again");
      assertEquals(5, entry(b, "requests"));
    }
  }

  private static long entry(Barrel b, String name) throws Exception {
    return b.entries().stream().filter(e -> e.name().equals(name)).mapToLong(BarrelEntry::value).sum();
  }

  private static long cellSlots(Barrel b, String name) throws Exception {
    return b.slots().stream().filter(s -> s.name().equals(name) && s.cell()).count();
  }

  @Test
  void countersPersistAcrossProcessRestartsOnAStablePath() throws Exception {
    Path f = dir.resolve("stable.barrel");
    for (int i = 0; i < 2; i++) {
      try (ChildJvm c = ChildJvm.start(BarrelChild.class, "set", f.toString(), "requests", "21")) {
        assertEquals(0, c.waitFor(60), c.output());
      }
    }
    assertTrue(Files.size(f) > 0);
    try (Barrel b = Barrel.open(f)) {
      assertEquals(42, b.counter("requests").get());
    }
  }
}
