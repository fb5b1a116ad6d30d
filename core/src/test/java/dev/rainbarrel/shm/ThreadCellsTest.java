package dev.rainbarrel.shm;

import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.stats.HistogramLayout;
import dev.rainbarrel.stats.HistogramSnapshot;
import dev.rainbarrel.stats.LogLinearHistogram;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Per-thread cells: one writer per cell, readers see exact sums, rows are reused, v1 files raised. */
@Timeout(120)
class ThreadCellsTest {
  @TempDir Path dir;

  private static long entry(Barrel b, String name) throws Exception {
    return b.entries().stream().filter(e -> e.name().equals(name)).mapToLong(BarrelEntry::value).sum();
  }

  private static long cellSlots(Barrel b, String name) throws Exception {
    return b.slots().stream().filter(s -> s.name().equals(name) && s.cell()).count();
  }

  /** Runs {@code body} on {@code n} platform threads at once and waits for them (bounded). */
  private static void onThreads(int n, Runnable body) throws Exception {
    List<Thread> ts = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(body);
      t.setUncaughtExceptionHandler((th, e) -> failure.set(e));
      t.start();
      ts.add(t);
    }
    for (Thread t : ts) {
      t.join(60_000);
      assertFalse(t.isAlive(), "thread did not finish in time");
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
  }

  @Test
  void twoThreadsWithTheirOwnRowsAndTheBaseRecordSumExactly() throws Exception {
    try (Barrel b = Barrel.open(dir.resolve("two.barrel"))) {
      ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of("calling"), null);
      int requests = cells.cell("requests");
      int calling = cells.cell("calling");
      b.counter("requests").add(5);
      b.gauge("calling").add(1);
      onThreads(2, () -> {
        ThreadCells.Row row = cells.row();
        assertFalse(row.isShared());
        for (int i = 0; i < 200_000; i++) {
          row.add(requests, 1);
          row.add(calling, 1);
          row.add(calling, -1);
        }
        row.add(calling, 1); // left in flight
      });
      assertEquals(2, cells.rowsLeased());
      assertEquals(2, cellSlots(b, "requests"), "one counter cell per thread");
      assertEquals(2, cellSlots(b, "calling"), "one gauge cell per thread");
      assertEquals(400_005, entry(b, "requests"), "base record plus both cells");
      assertEquals(3, entry(b, "calling"));
      assertEquals(1, b.entries().stream().filter(e -> e.name().equals("calling")).findFirst().orElseThrow().owners(),
          "one live process, however many records it has");
      assertEquals(5, b.counter("requests").get(), "the handle is the base record, never a cell");
      assertEquals(400_005, b.counter("requests").sum());
      assertEquals(3, b.gauge("calling").sum());
      try (Barrel r = Barrel.openReadOnly(b.path())) {
        assertEquals(400_005, entry(r, "requests"));
      }
    }
  }

  /**
   * A cell is taken over only when it has no lessee, or its lessee is another process that is dead
   * by a stamp of this pid namespace: a stamp written from another namespace (containers sharing a
   * file) may name a live process there, so its cells are never taken.
   */
  @Test
  void cellsAreAdoptedOnlyFromDeadLesseesOfThisPidNamespace() {
    long self = 1, other = 2, ns = 4026531836L, foreignNs = 4026532000L;
    java.util.function.LongPredicate dead = s -> false;
    java.util.function.LongPredicate alive = s -> true;
    assertTrue(Barrel.adoptable(0, 0, self, ns, alive), "no lessee: free");
    assertTrue(Barrel.adoptable(other, ns, self, ns, dead), "a dead process of this namespace");
    assertFalse(Barrel.adoptable(other, ns, self, ns, alive), "a live one");
    assertFalse(Barrel.adoptable(other, foreignNs, self, ns, dead), "a stamp from another namespace");
    assertFalse(Barrel.adoptable(self, ns, self, ns, dead), "this process's own lease");
    assertNotEquals(0, ProcessIdentity.pidNamespace(), "/proc/self/ns/pid is readable on Linux");
  }

  @Test
  void counterAndGaugeNeverReturnACell() throws Exception {
    Path f = dir.resolve("never.barrel");
    try (Barrel b = Barrel.open(f)) {
      ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of("calling"), null);
      onThreads(1, () -> {
        cells.row().add(cells.cell("requests"), 7);
        cells.row().add(cells.cell("calling"), 2);
      });
      assertTrue(b.removeCounter("requests", ""), "the base record");
      assertEquals(7, entry(b, "requests"), "the cell stays and is still counted");
      try (Barrel other = Barrel.open(f)) { // a fresh handle: no cached base record
        Counter c = other.counter("requests");
        assertEquals(0, c.get(), "a new base record, not the cell holding 7");
        c.add(3);
        assertEquals(10, c.sum());
        Gauge g = other.gauge("calling");
        assertEquals(0, g.get(), "this handle's own base record, not a cell of its process");
      }
      List<BarrelSlot> requests = b.slots().stream().filter(s -> s.name().equals("requests")).toList();
      assertEquals(2, requests.size(), requests.toString());
      assertEquals(1, requests.stream().filter(BarrelSlot::cell).count());
      assertEquals(7, requests.stream().filter(BarrelSlot::cell).findFirst().orElseThrow().value());
    }
  }

  @Test
  void shortLivedThreadsReuseRowsSoCellsStayBoundedAndTotalsExact() throws Exception {
    try (Barrel b = Barrel.open(dir.resolve("reuse.barrel"))) {
      ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of("calling"), "request_duration");
      int requests = cells.cell("requests");
      int calling = cells.cell("calling");
      int rounds = 40;
      int perRound = 4;
      for (int round = 0; round < rounds; round++) {
        onThreads(perRound, () -> {
          ThreadCells.Row row = cells.row();
          for (int i = 0; i < 10_000; i++) {
            row.add(calling, 1);
            row.add(requests, 1);
            row.record(i);
            row.add(calling, -1);
          }
        });
      }
      assertTrue(cells.rowsLeased() <= perRound, "rows bounded by the live threads: " + cells.rowsLeased());
      assertTrue(cellSlots(b, "requests") <= perRound, "cell slots: " + cellSlots(b, "requests"));
      assertEquals((long) rounds * perRound * 10_000, entry(b, "requests"), "no update lost: one writer per cell");
      assertEquals(0, entry(b, "calling"));
      assertEquals((long) rounds * perRound * 10_000, b.histogramSnapshots().get("request_duration").count());
    }
  }

  @Test
  @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
  void twoLiveThreadsWhoseIdsShareAFastPathSlotStillGetTheirOwnRows() throws Exception {
    try (Barrel b = Barrel.open(dir.resolve("collide.barrel"))) {
      ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of(), null);
      java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      Thread a = new Thread(() -> {
        cells.row().add(0, 1); // leases, takes the fast-path slot of its id
        first.countDown();
        try {
          release.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < 100_000; i++) {
          cells.row().add(0, 1);
        }
      });
      a.start();
      assertTrue(first.await(30, java.util.concurrent.TimeUnit.SECONDS));
      Thread bThread = null;
      for (int i = 0; i < 4096 && bThread == null; i++) { // unstarted threads: ids are cheap
        Thread c = new Thread(() -> {
          for (int k = 0; k < 100_000; k++) {
            cells.row().add(0, 1);
          }
        });
        if ((c.getId() & 1023) == (a.getId() & 1023)) {
          bThread = c;
        }
      }
      assertNotNull(bThread, "a thread id sharing the slot within 4096 ids");
      bThread.start();
      release.countDown();
      bThread.join(60_000);
      a.join(60_000);
      assertEquals(2, cells.rowsLeased(), "the second thread did not take the first one's row");
      assertEquals(200_001, entry(b, "requests"));
    }
  }

  @Test
  void anInterruptedThreadLeasesWithoutClosingTheFile() throws Exception {
    try (Barrel b = Barrel.open(dir.resolve("interrupt.barrel"))) {
      ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of(), null);
      onThreads(1, () -> {
        Thread.currentThread().interrupt(); // an interrupted FileChannel.lock would close the channel
        for (int i = 0; i < 1000; i++) {
          cells.row().add(0, 1);
        }
        assertTrue(Thread.interrupted(), "the interrupt is kept for the host");
      });
      b.counter("after").increment(); // registration still works: the channel is open
      assertEquals(1000, entry(b, "requests"));
      assertEquals(1, cells.rowsLeased());
    }
  }

  @Test
  void aFullFileFallsBackToTheSharedRecords() throws Exception {
    try (Barrel b = Barrel.open(dir.resolve("full.barrel"))) {
      ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of(), "request_duration");
      for (int i = 0; ; i++) { // small blocks until the extent table is full (bounded by 128 extents)
        try {
          b.block("filler" + i, 9, 8, null);
        } catch (IllegalStateException | java.io.UncheckedIOException full) {
          assertTrue(full.getMessage().contains("full"), full.getMessage());
          break;
        }
        assertTrue(i < 200, "the file never filled up");
      }
      onThreads(1, () -> {
        ThreadCells.Row row = cells.row();
        assertFalse(row.isShared(), "counter cells still fit in the first extent");
        row.add(0, 3);
        row.record(42); // no histogram row to be had: recorded into the shared histogram
      });
      assertEquals(3, entry(b, "requests"));
      assertEquals(1, b.histogram("request_duration").count(), "the shared histogram got the value");
      assertEquals(1, b.histogramSnapshots().get("request_duration").count());
      for (int i = 0; i < 300; i++) { // every counter slot taken: no cell can be leased either
        try {
          b.counter("fill" + i);
        } catch (IllegalStateException | java.io.UncheckedIOException full) {
          break;
        }
      }
      ThreadCells more = ThreadCells.create(b, List.of("requests"), List.of(), null); // no row to reuse
      onThreads(1, () -> {
        ThreadCells.Row row = more.row();
        assertTrue(row.isShared());
        row.add(0, 4);
      });
      assertEquals(1, more.leaseFailures());
      assertEquals(7, entry(b, "requests"));
      assertEquals(4, b.counter("requests").get(), "atomic add on the base record");
    }
  }

  @Test
  void virtualThreadsUseTheSharedRow() throws Exception {
    java.lang.reflect.Method start;
    try {
      start = Thread.class.getMethod("startVirtualThread", Runnable.class);
    } catch (NoSuchMethodException e) {
      Assumptions.abort("no virtual threads before JDK 21");
      return;
    }
    try (Barrel b = Barrel.open(dir.resolve("virtual.barrel"))) {
      ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of(), null);
      List<Thread> vs = new ArrayList<>();
      AtomicReference<Boolean> allShared = new AtomicReference<>(true);
      for (int i = 0; i < 100; i++) {
        vs.add((Thread) start.invoke(null, (Runnable) () -> {
          ThreadCells.Row row = cells.row();
          if (!row.isShared()) {
            allShared.set(false);
          }
          row.add(0, 1);
        }));
      }
      for (Thread v : vs) {
        v.join(60_000);
      }
      assertTrue(allShared.get());
      assertEquals(0, cells.rowsLeased());
      assertEquals(0, cellSlots(b, "requests"));
      assertEquals(100, b.counter("requests").get(), "atomic adds on the base record");
    }
  }

  @Test
  void histogramRowsMergeToWhatOneHistogramFedTheSameValuesShows() throws Exception {
    try (Barrel b = Barrel.open(dir.resolve("hist.barrel"))) {
      ThreadCells cells = ThreadCells.create(b, List.of(), List.of(), "request_duration");
      LogLinearHistogram single = LogLinearHistogram.allocate(HistogramLayout.DEFAULT);
      for (long v = 0; v < 3000; v += 7) {
        single.record(v * v);
      }
      // the same values: a third into the shared histogram, the rest split over three threads' rows
      LogLinearHistogram shared = b.histogram("request_duration");
      for (long v = 0; v < 3000; v += 21) {
        shared.record(v * v);
      }
      for (int t = 1; t <= 2; t++) {
        long first = 7L * t;
        onThreads(1, () -> {
          for (long v = first; v < 3000; v += 21) {
            cells.row().record(v * v);
          }
        });
      }
      onThreads(1, () -> cells.row().record(-5)); // recorded as 0, as the shared histogram does
      single.record(0);
      assertTrue(cells.rowsLeased() >= 1);
      HistogramSnapshot merged = b.histogramSnapshots().get("request_duration");
      HistogramSnapshot expected = single.snapshot();
      assertEquals(expected.count(), merged.count());
      assertEquals(expected.sum(), merged.sum());
      assertEquals(expected.min(), merged.min());
      assertEquals(expected.max(), merged.max());
      assertEquals(expected.p50(), merged.p50());
      assertEquals(expected.p99(), merged.p99());
      assertArrayEquals(expected.counts(), merged.counts());
      assertEquals(1, b.histogramSnapshots().size(), "rows are not listed as histograms of their own");
    }
  }

  @Test
  void versionOneFileIsReadAndRaisedToTwoWhenCellsAreLeased() throws Exception {
    Path f = dir.resolve("v1.barrel");
    try (Barrel b = Barrel.open(f)) {
      b.counter("requests").add(4);
    }
    setVersion(f, 1); // what version 1 of the library wrote: the same bytes, no cells
    try (Barrel r = Barrel.openReadOnly(f)) {
      assertEquals(4, entry(r, "requests"));
    }
    try (Barrel b = Barrel.open(f)) {
      b.counter("requests").add(1);
      assertEquals(1, version(f), "plain use leaves a version 1 file as it was");
      ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of(), null);
      onThreads(1, () -> cells.row().add(0, 10));
      assertEquals(2, version(f), "leasing a cell raised the version");
      assertEquals(15, entry(b, "requests"));
    }
  }

  @Test
  void rowsAreUnusableOnceTheBarrelIsClosed() throws Exception {
    Barrel b = Barrel.open(dir.resolve("closed.barrel"));
    ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of(), null);
    ThreadCells.Row row = cells.row();
    row.add(0, 1);
    b.close();
    assertThrows(IllegalStateException.class, () -> row.add(0, 1));
    try (Barrel r = Barrel.openReadOnly(dir.resolve("closed.barrel"))) {
      assertEquals(1, entry(r, "requests"), "the counter cell outlives its process's handle");
      assertEquals(List.of(0L), r.slots().stream().filter(BarrelSlot::cell).map(s -> lessee(r, s)).toList(),
          "its lease given back on close");
    }
  }

  private static long lessee(Barrel r, BarrelSlot s) {
    try (FileChannel ch = FileChannel.open(r.path(), StandardOpenOption.READ)) {
      int extent = s.number() / BarrelLayout.SLOTS_PER_EXTENT;
      int n = s.number() % BarrelLayout.SLOTS_PER_EXTENT;
      ByteBuffer e = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(e, BarrelLayout.EXTENT_TABLE_OFFSET + 16L * extent);
      long at = e.getLong(0) + BarrelLayout.META_OFFSET + (long) n * BarrelLayout.META_LENGTH + BarrelLayout.M_LESSEE;
      ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(v, at);
      return v.getLong(0);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static int version(Path f) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      ByteBuffer v = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(v, BarrelLayout.H_VERSION);
      return v.getInt(0);
    }
  }

  private static void setVersion(Path f, int version) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, version), BarrelLayout.H_VERSION);
    }
  }
}
