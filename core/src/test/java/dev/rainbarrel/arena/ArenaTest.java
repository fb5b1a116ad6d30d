package dev.rainbarrel.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.alloc.AllocatorStats;
import dev.rainbarrel.shm.ProcessIdentity;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ArenaTest {

  @TempDir Path dir;

  /**
   * Options for the tests of the shared protocol (bump pointer, freelist, accounting): without
   * thread regions, so that every allocation takes the shared path. Regions: {@link ArenaRegionTest}.
   */
  private static Arena.Options opts(Arena.Freelist kind, long capacity) {
    return Arena.Options.defaults().freelist(kind).capacity(capacity).minSegmentSize(32).threadRegionSize(0);
  }

  @Test
  void aBlockReturnedToTheBumpPointerLeavesZeroPayloadBehind_smallAndBulkWipe() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.OPTIMISTIC, 1 << 16))) {
      for (int size : new int[] {8, 200, 240, 248, 1000, 5000}) {
        long off = a.allocate(size);
        int usable = (int) a.sizeOf(off);
        for (int i = 0; i < usable; i++) {
          a.buffer().put((int) off + i, (byte) 0xFF);
        }
        a.free(off); // the last allocation: back to the bump pointer
        for (int i = 0; i < usable; i++) {
          assertEquals(0, a.buffer().get((int) off + i), "size " + size + ", byte " + i + " not wiped");
        }
        assertEquals(off, a.allocate(size), "the same space is handed out again");
        a.free(off);
      }
    }
  }

  @Test
  void bumpAllocationsAreAlignedDisjointAndTheLastReturnsToTheBumpPointer() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.OPTIMISTIC, 1 << 16))) {
      long x = a.allocate(10);
      long y = a.allocate(100);
      assertEquals(0, x % 8);
      assertEquals(0, y % 8);
      assertTrue(a.sizeOf(x) >= 10);
      assertTrue(x + a.sizeOf(x) <= y - Arena.BLOCK_HEADER, "blocks overlap");
      long before = a.statsSnapshot().free();
      a.free(y); // last allocation: straight back to the bump pointer, not to the freelist
      assertEquals(before + 100 + Arena.BLOCK_HEADER + 4, a.statsSnapshot().free());
      assertTrue(a.blocks().stream().noneMatch(b -> b.state.equals("FREE")), a.blocks().toString());
      assertEquals(y, a.allocate(100), "the bump pointer moved back");
      a.buffer().putLong((int) y, 42);
      assertEquals(42, a.buffer().getLong((int) y));
    }
  }

  @Test
  void optimisticTakesTheLargestSegmentAndSplitsIt() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.OPTIMISTIC, 1 << 16))) {
      long s100 = a.allocate(100 - 16);
      a.allocate(8);
      long s96 = a.allocate(96 - 16);
      a.allocate(8);
      long s56 = a.allocate(56 - 16);
      a.allocate(8);
      fillBump(a);
      a.free(s56);
      a.free(s100 - 4 + 4);
      a.free(s96);
      // freelist (block sizes): 104 -> 96 -> 56; asking for a 24-byte block takes the head
      long got = a.allocate(8);
      assertEquals(s100, got);
      List<Long> free = freeBlockSizes(a);
      assertEquals(List.of(80L, 96L, 56L).stream().sorted().toList(), free.stream().sorted().toList(),
          "the 104-byte head was split into 24 + 80 and 80 re-inserted");
      assertEquals(96 - 16, freeBlocksInListOrder(a).get(0), "largest first");
    }
  }

  @Test
  void pessimisticTakesTheBestFit() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.PESSIMISTIC, 1 << 16))) {
      long s40 = a.allocate(40);
      a.allocate(8);
      long s80 = a.allocate(80);
      a.allocate(8);
      long s100 = a.allocate(100);
      a.allocate(8);
      fillBump(a);
      a.free(s100);
      a.free(s40);
      a.free(s80);
      assertEquals(List.of(40L, 80L, 104L), freeBlocksInListOrder(a), "smallest first");
      long got = a.allocate(50);
      assertEquals(s80, got, "best fit is the 80-byte segment");
      // 96-byte block cut to 72: the 24-byte rest is below the 32-byte minimum and stays with it
      assertEquals(80, a.sizeOf(got));
      assertEquals(List.of(40L, 104L), freeBlocksInListOrder(a));
    }
  }

  /**
   * Counts are tallied per thread and published to the shared header every PUBLISH_EVERY
   * operations: the handle that counted sees them exactly at once, another handle on the same file
   * (as another process would) sees them at most PUBLISH_EVERY late, and all of them after close.
   * Used bytes are derived from the bump pointer, freelist and discarded bytes.
   */
  @Test
  void countsArePublishedToOtherHandlesInBatchesAndAllOnClose() throws Exception {
    Path f = dir.resolve("counts.arena");
    int n = 3 * Arena.PUBLISH_EVERY + 17;
    try (Arena reader = Arena.open(f, opts(Arena.Freelist.PESSIMISTIC, 1 << 16))) {
      Arena writer = Arena.open(f, opts(Arena.Freelist.PESSIMISTIC, 1 << 16));
      long kept = writer.allocate(40);
      for (int i = 0; i < n; i++) {
        writer.free(writer.allocate(8 + i % 100));
      }
      AllocatorStats.Snapshot own = writer.statsSnapshot();
      assertEquals(n + 1, own.allocations(), own.toString());
      assertEquals(n, own.frees(), own.toString());
      assertEquals(56, own.used(), "one 40-byte block with its 16-byte header: " + own);
      AllocatorStats.Snapshot other = reader.statsSnapshot();
      assertTrue(other.allocations() <= n + 1 && other.allocations() > n + 1 - Arena.PUBLISH_EVERY, other.toString());
      assertTrue(other.frees() <= n && other.frees() > n - Arena.PUBLISH_EVERY, other.toString());
      assertEquals(56, other.used(), other.toString());
      writer.close(); // frees the kept block and publishes the rest of the tally
      AllocatorStats.Snapshot after = reader.statsSnapshot();
      assertEquals(n + 1, after.allocations(), after.toString());
      assertEquals(n + 1, after.frees(), after.toString());
      assertEquals(0, after.used(), after.toString());
    }
  }

  @Test
  void withoutFreelistNonLastFreesAreDiscardedAndCounted() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.NONE, 1 << 12))) {
      long x = a.allocate(64);
      a.allocate(64);
      a.free(x);
      AllocatorStats.Snapshot s = a.statsSnapshot();
      assertEquals(80, s.discarded());
      assertEquals(1, s.frees());
      fillBump(a);
      assertEquals(Arena.NO_SPACE, a.allocate(8), "no freelist, so the discarded block is not reused");
      assertTrue(a.statsSnapshot().failures() >= 1);
    }
  }

  @Test
  void segmentsBelowTheMinimumAreDiscarded() throws Exception {
    Arena.Options o = Arena.Options.defaults().capacity(1 << 12).minSegmentSize(128);
    try (Arena a = Arena.anonymous(o)) {
      long small = a.allocate(64);
      a.allocate(8);
      long big = a.allocate(200);
      a.allocate(8);
      a.free(small);
      a.free(big);
      assertEquals(80, a.statsSnapshot().discarded());
      assertEquals(List.of(200L), freeBlocksInListOrder(a));
    }
  }

  @Test
  void exhaustionReturnsNoSpaceAndFreedSpaceIsReused() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.PESSIMISTIC, 1 << 14))) {
      List<Long> got = new ArrayList<>();
      long o;
      while ((o = a.allocate(100)) != Arena.NO_SPACE) {
        got.add(o);
      }
      assertTrue(got.size() > 100);
      assertEquals(Arena.NO_SPACE, a.allocate(100));
      a.free(got.get(3));
      assertEquals(got.get(3), a.allocate(100));
      assertTrue(a.statsSnapshot().failures() >= 2);
    }
  }

  @Test
  void doubleFreeForeignFreeAndBadOffsetsThrowNamingTheOffset() throws Exception {
    Path f = dir.resolve("a.arena");
    try (Arena a = Arena.open(f, opts(Arena.Freelist.OPTIMISTIC, 1 << 14));
        Arena b = Arena.open(f, opts(Arena.Freelist.OPTIMISTIC, 1 << 14))) {
      long x = a.allocate(16);
      a.allocate(16);
      a.free(x);
      IllegalStateException dbl = assertThrows(IllegalStateException.class, () -> a.free(x));
      assertTrue(dbl.getMessage().contains("offset " + x) && dbl.getMessage().contains("double free"),
          dbl.getMessage());
      long y = a.allocate(300);
      a.allocate(16);
      IllegalStateException foreign = assertThrows(IllegalStateException.class, () -> b.free(y));
      assertTrue(foreign.getMessage().contains("offset " + y) && foreign.getMessage().contains("belongs to pid "
          + ProcessIdentity.pid(ProcessIdentity.currentStamp())), foreign.getMessage());
      IllegalStateException bad = assertThrows(IllegalStateException.class, () -> a.free(y + 8));
      assertTrue(bad.getMessage().contains("offset " + (y + 8)), bad.getMessage());
      assertThrows(IllegalStateException.class, () -> a.free(1 << 20));
      assertThrows(IllegalArgumentException.class, () -> a.allocate(0));
      assertThrows(IllegalArgumentException.class, () -> a.allocate(Arena.MAX_ALLOCATION + 1));
    }
  }

  @Test
  void detachedAllocationsSurviveCloseAndAreRecoveredOnReopen() throws Exception {
    Path f = dir.resolve("d.arena");
    long kept;
    long dropped;
    try (Arena a = Arena.open(f, opts(Arena.Freelist.PESSIMISTIC, 1 << 14))) {
      kept = a.allocate(24);
      dropped = a.allocate(40);
      a.allocate(8);
      a.buffer().putLong((int) kept, 0x1234_5678_9ABCL);
      a.detach(kept);
      assertEquals(1, a.attachedProcesses().size());
    }
    try (Arena a = Arena.open(f, opts(Arena.Freelist.NONE, 999_999))) {
      assertEquals(Arena.Freelist.PESSIMISTIC, a.freelist(), "kind and size come from the header");
      assertEquals(1 << 14, a.capacity());
      List<Arena.Block> d = a.detached();
      assertEquals(1, d.size());
      assertEquals(kept, d.get(0).offset);
      assertEquals(0x1234_5678_9ABCL, a.buffer().getLong((int) kept), "reopen never zeroes data");
      assertTrue(a.blocks().stream().anyMatch(b -> b.offset == dropped && b.state.equals("FREE")),
          "the non-detached allocation was freed by close: " + a.blocks());
      a.free(kept); // detached allocations may be freed by any process
      assertTrue(a.detached().isEmpty());
    }
  }

  @Test
  void concurrentOpensOfANewFileFormatItOnce() throws Exception {
    Path f = dir.resolve("race.arena");
    ExecutorService ex = Executors.newFixedThreadPool(4);
    List<Arena> opened = new ArrayList<>();
    try {
      List<Future<Arena>> fs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        fs.add(ex.submit(() -> Arena.open(f, opts(Arena.Freelist.PESSIMISTIC, 1 << 14))));
      }
      for (Future<Arena> fu : fs) {
        opened.add(fu.get(20, TimeUnit.SECONDS));
      }
      long x = opened.get(0).allocate(64);
      opened.get(0).detach(x);
      for (Arena a : opened) {
        assertEquals(1, a.detached().size(), "every handle sees the one formatted region");
      }
      assertEquals(4, opened.get(3).attachedProcesses().size(), "one process slot per handle");
    } finally {
      ex.shutdownNow();
      for (Arena a : opened) {
        a.close();
      }
    }
  }

  /** close() links all of a handle's blocks into the freelist in one sorted pass: order and bytes. */
  @Test
  void closeListsEveryBlockInSizeOrder() throws Exception {
    for (Arena.Freelist kind : new Arena.Freelist[] {Arena.Freelist.OPTIMISTIC, Arena.Freelist.PESSIMISTIC}) {
      for (int region : new int[] {0, 16 << 10}) {
        Path f = dir.resolve("close-" + kind + "-" + region + ".arena");
        Arena.Options o = opts(kind, 4 << 20).threadRegionSize(region);
        try (Arena reader = Arena.open(f, o)) {
          Arena a = Arena.open(f, o);
          java.util.Random r = new java.util.Random(42);
          List<Long> sizes = new ArrayList<>();
          for (int i = 0; i < 5000; i++) {
            long off = a.allocate(8 + 8 * r.nextInt(100));
            sizes.add(a.sizeOf(off));
            if (i % 10 == 0) {
              a.free(off); // some already listed before close
              sizes.remove(sizes.size() - 1);
            }
          }
          a.allocate(100); // a last block, which goes back to the bump pointer or region top
          a.close();
          List<Long> order = freeBlocksInListOrder(reader);
          List<Long> sorted = new ArrayList<>(order);
          sorted.sort(kind == Arena.Freelist.OPTIMISTIC ? java.util.Comparator.reverseOrder() : java.util.Comparator.naturalOrder());
          assertEquals(sorted, order, kind + " region " + region + ": the list stays sorted");
          long listable = sizes.stream().filter(z -> z + Arena.BLOCK_HEADER >= 32).count(); // 32: min segment
          assertTrue(order.size() >= listable, kind + " region " + region + ": every closed block is listed: "
              + order.size() + " < " + listable);
          assertEquals(0, reader.statsSnapshot().used(), reader.statsSnapshot().toString());
          assertTrue(reader.blocks().stream().noneMatch(b -> b.state.equals("ALLOCATED") || b.state.equals("TAKING")));
        }
      }
    }
  }

  @Test
  void closedArenaRefusesUse() throws Exception {
    Arena a = Arena.anonymous(Arena.Options.defaults());
    a.close();
    a.close();
    assertThrows(IllegalStateException.class, () -> a.allocate(8));
  }

  @Test
  void badOptionsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Arena.anonymous(Arena.Options.defaults().capacity(100)));
    assertThrows(IllegalArgumentException.class, () -> Arena.anonymous(Arena.Options.defaults().minSegmentSize(8)));
    assertThrows(IllegalArgumentException.class, () -> Arena.anonymous(Arena.Options.defaults().processSlots(0)));
    assertThrows(IllegalArgumentException.class, () -> Arena.anonymous(Arena.Options.defaults().processSlots(5000)));
    // offsets inside an arena are ints of a mapping of at most 2 GiB: a larger one is refused, not wrapped
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
        () -> Arena.anonymous(Arena.Options.defaults().capacity(1L << 32)));
    assertTrue(big.getMessage().contains("capacity must be in [")
        && big.getMessage().contains(", 2147483640] bytes: 4294967296"), big.getMessage());
  }

  @Test
  void threadsNeverShareBytes() throws Exception {
    threadsNeverShareBytes(1 << 18, 4000);
  }

  /** A small arena keeps the bump region exhausted, so nearly every operation uses the freelist. */
  @Test
  void threadsNeverShareBytesInAFreelistBoundArena() throws Exception {
    threadsNeverShareBytes(16 << 10, 12_000);
  }

  private static void threadsNeverShareBytes(int capacity, int ops) throws Exception {
    for (Arena.Freelist kind : Arena.Freelist.values()) {
      try (Arena a = Arena.anonymous(opts(kind, capacity).minSegmentSize(24))) {
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
          List<Future<Integer>> fs = new ArrayList<>();
          for (int t = 0; t < 4; t++) {
            int id = t;
            fs.add(ex.submit(() -> churn(a, id + 1, ops)));
          }
          int total = 0;
          for (Future<Integer> fu : fs) {
            total += fu.get(50, TimeUnit.SECONDS);
          }
          // (with NONE, a thread that starts late may find the bump region used up: only the sum counts)
          assertTrue(total > (kind == Arena.Freelist.NONE ? 0 : ops / 10), kind + ": " + total + " allocations succeeded");
        } finally {
          ex.shutdownNow();
        }
        AllocatorStats.Snapshot s = a.statsSnapshot();
        assertEquals(s.allocations(), s.frees(), kind + " " + s);
        assertEquals(0, s.used(), kind + " " + s);
      }
    }
  }

  /** Random allocate/free; every held block carries the thread's pattern, checked before free. */
  static int churn(Arena a, int id, int ops) {
    Random r = new Random(id);
    ByteBuffer b = a.buffer();
    List<long[]> held = new ArrayList<>();
    int ok = 0;
    for (int i = 0; i < ops; i++) {
      if (held.isEmpty() || (r.nextInt(3) != 0 && held.size() < 200)) {
        int size = 8 + r.nextInt(a.capacity() < 32 << 10 ? 150 : 300);
        long o = a.allocate(size);
        if (o == Arena.NO_SPACE) {
          continue;
        }
        long pattern = ((long) id << 32) | i;
        for (int k = 0; k + 8 <= size; k += 8) {
          b.putLong((int) o + k, pattern);
        }
        held.add(new long[] {o, size, pattern});
        ok++;
      } else {
        long[] h = held.remove(r.nextInt(held.size()));
        check(b, h);
        a.free(h[0]);
      }
    }
    for (long[] h : held) {
      check(b, h);
      a.free(h[0]);
    }
    return ok;
  }

  private static void check(ByteBuffer b, long[] h) {
    for (int k = 0; k + 8 <= h[1]; k += 8) {
      assertEquals(h[2], b.getLong((int) h[0] + k), "block at " + h[0] + " was overwritten");
    }
  }

  static void fillBump(Arena a) {
    while (true) {
      long free = a.capacity() - a.blocks().stream().mapToLong(b -> b.offset + b.size).max().orElse(a.dataOffset());
      if (free < Arena.MIN_BLOCK) {
        return;
      }
      long want = Math.min(free - Arena.BLOCK_HEADER, 1 << 20);
      want -= want % 8;
      if (want < 8) {
        return;
      }
      // the bump region is tried first, so this consumes it exactly
      if (a.allocate(want) == Arena.NO_SPACE) {
        return;
      }
    }
  }

  private static List<Long> freeBlockSizes(Arena a) {
    List<Long> out = new ArrayList<>();
    for (Arena.Block b : a.blocks()) {
      if (b.state.equals("FREE")) {
        out.add(b.size + Arena.BLOCK_HEADER);
      }
    }
    return out;
  }

  /** Payload sizes of the freelist nodes in list order (read from the raw links). */
  static List<Long> freeBlocksInListOrder(Arena a) {
    ByteBuffer b = a.buffer();
    TreeMap<Long, Long> sizes = new TreeMap<>();
    for (Arena.Block bl : a.blocks()) {
      sizes.put(bl.offset - Arena.BLOCK_HEADER, bl.size);
    }
    List<Long> out = new ArrayList<>();
    long link = b.getLong(Arena.HEAD_OFFSET);
    for (int i = 0; i < 10_000 && Arena.next(link) != 0; i++) {
      int n = Arena.next(link);
      assertNotEquals(null, sizes.get((long) n), "list node " + n + " is not a block");
      out.add(sizes.get((long) n));
      link = b.getLong(n + Arena.LINK);
    }
    return out;
  }
}
