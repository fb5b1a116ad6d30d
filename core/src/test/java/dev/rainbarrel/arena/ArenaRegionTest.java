package dev.rainbarrel.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.alloc.AllocatorStats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Thread regions: each thread's small allocations come from its own region (format version 2). */
@Timeout(60)
class ArenaRegionTest {

  static final int REGION = 4096;

  @TempDir Path dir;

  private static Arena.Options opts(Arena.Freelist kind) {
    return Arena.Options.defaults().freelist(kind).capacity(1 << 18).minSegmentSize(32).threadRegionSize(REGION);
  }

  private static List<Arena.Block> regions(Arena a) {
    return a.blocks().stream().filter(b -> b.state.equals("REGION")).toList();
  }

  private static Arena.Block blockAt(Arena a, long offset) {
    return a.blocks().stream().filter(b -> b.offset == offset).findFirst().orElseThrow(
        () -> new AssertionError("no block at " + offset + ": " + a.blocks()));
  }

  @Test
  void aThreadsAllocationsLieInItsOwnRegionAndTheLatestReturnsToItsTop() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.PESSIMISTIC))) {
      long x = a.allocate(10);
      long y = a.allocate(100);
      long[] other = new long[1];
      Thread t = new Thread(() -> other[0] = a.allocate(10));
      t.start();
      t.join(10_000);
      List<Arena.Block> regions = regions(a);
      assertEquals(2, regions.size(), a.blocks().toString());
      Arena.Block mine = regions.get(0).offset < regions.get(1).offset ? regions.get(0) : regions.get(1);
      assertEquals(mine.offset + Arena.BLOCK_HEADER, x, "the first block follows the region header directly");
      assertEquals(x + a.sizeOf(x) + Arena.BLOCK_HEADER, y, "contiguous");
      assertTrue(other[0] >= mine.offset + mine.size, "the other thread's block is in its own region");
      assertEquals("ALLOCATED", blockAt(a, y).state);

      a.free(y); // the latest: back to the region's top, not to the freelist
      assertTrue(a.blocks().stream().noneMatch(b -> b.state.equals("FREE")), a.blocks().toString());
      assertTrue(a.blocks().stream().noneMatch(b -> b.offset == y), "y is above the region's top");
      assertEquals(y, a.allocate(100), "the region's top moved back");

      a.free(x); // not the latest: to the freelist
      assertEquals("FREE", blockAt(a, x).state);
      IllegalStateException dbl = assertThrows(IllegalStateException.class, () -> a.free(x));
      assertTrue(dbl.getMessage().contains("offset " + x) && dbl.getMessage().contains("double free"), dbl.getMessage());
    }
  }

  @Test
  void freeingTheReturnedLatestBlockAgainIsADoubleFree() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.OPTIMISTIC))) {
      long x = a.allocate(64);
      a.free(x);
      IllegalStateException dbl = assertThrows(IllegalStateException.class, () -> a.free(x));
      assertTrue(dbl.getMessage().contains("offset " + x) && dbl.getMessage().contains("double free"), dbl.getMessage());
      assertEquals(x, a.allocate(64), "the failed free changed nothing");
    }
  }

  @Test
  void aFullRegionIsRetiredItsTailReusedAndLargeBlocksBypassRegions() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.PESSIMISTIC))) {
      long first = a.allocate(900);
      List<Long> held = new ArrayList<>(List.of(first));
      while (regions(a).size() < 2) {
        held.add(a.allocate(900));
      }
      assertEquals(5, held.size(), "four 920-byte blocks fit in a 4096-byte region: " + a.blocks());
      List<Arena.Block> regions = regions(a);
      Arena.Block old = regions.get(0);
      assertEquals(0, old.ownerStamp, "the full region is retired (no owner): " + regions);
      assertNotEquals(0, regions.get(1).ownerStamp, "the new one belongs to this process");
      // 4096-byte region: header + four 920-byte blocks leave a 400-byte tail -> freelist
      long tail = old.offset + 4 * 920 + Arena.BLOCK_HEADER;
      assertEquals("FREE", blockAt(a, tail).state, a.blocks().toString());
      assertEquals(400 - Arena.BLOCK_HEADER, blockAt(a, tail).size);
      long big = a.allocate(REGION); // larger than a quarter of a region: the shared bump pointer
      assertTrue(big > regions.get(1).offset + regions.get(1).size, "after the regions: " + big);
      assertTrue(a.blocks().stream().noneMatch(b -> b.state.equals("REGION") && b.offset < big && big < b.offset + b.size));
      for (long h : held) {
        a.free(h);
      }
      a.free(big);
    }
  }

  @Test
  void theRegionOfAThreadThatEndedIsRetiredByTheNextRegionClaim() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.PESSIMISTIC))) {
      long[] got = new long[1];
      Thread t = new Thread(() -> got[0] = a.allocate(40));
      t.start();
      t.join(10_000);
      assertFalse(t.isAlive());
      Arena.Block theirs = regions(a).get(0);
      assertNotEquals(0, theirs.ownerStamp);
      a.allocate(40); // this thread's first allocation claims a region, sweeping ended threads
      Arena.Block after = blockAt(a, theirs.offset);
      assertEquals(0, after.ownerStamp, "retired: " + a.blocks());
      assertEquals("ALLOCATED", blockAt(a, got[0]).state, "the ended thread's block still belongs to the process");
      a.free(got[0]); // any thread of the process may free it: to the freelist
      assertEquals("FREE", blockAt(a, got[0]).state);
    }
  }

  @Test
  void closeRetiresEveryRegionAndFreesEverySubBlock() throws Exception {
    Path f = dir.resolve("close.arena");
    try (Arena reader = Arena.open(f, opts(Arena.Freelist.PESSIMISTIC))) {
      Arena writer = Arena.open(f, opts(Arena.Freelist.PESSIMISTIC));
      for (int i = 0; i < 50; i++) {
        writer.allocate(8 + i * 8);
      }
      long kept = writer.allocate(24);
      writer.detach(kept);
      assertTrue(reader.statsSnapshot().used() >= 2 * REGION, "live regions count as used");
      writer.close();
      AllocatorStats.Snapshot s = reader.statsSnapshot();
      assertEquals(24 + Arena.BLOCK_HEADER, s.used(), "only the detached block is left: " + s);
      assertTrue(regions(reader).stream().allMatch(r -> r.ownerStamp == 0), reader.blocks().toString());
      assertEquals(List.of(kept), reader.detached().stream().map(b -> b.offset).toList());
    }
  }

  @Test
  void threadsNeverShareBytesWithRegions() throws Exception {
    for (Arena.Freelist kind : Arena.Freelist.values()) {
      for (int capacity : new int[] {1 << 18, 48 << 10}) {
        Arena a = Arena.anonymous(opts(kind).capacity(capacity).minSegmentSize(24));
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
          List<Future<Integer>> fs = new ArrayList<>();
          for (int t = 0; t < 4; t++) {
            int id = t;
            fs.add(ex.submit(() -> ArenaTest.churn(a, id + 1, 6000)));
          }
          int total = 0;
          for (Future<Integer> fu : fs) {
            total += fu.get(50, TimeUnit.SECONDS);
          }
          assertTrue(total > (kind == Arena.Freelist.NONE ? 0 : 600), kind + ": " + total + " allocations succeeded");
        } finally {
          ex.shutdownNow();
          assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
        }
        AllocatorStats.Snapshot live = a.statsSnapshot();
        assertEquals(live.allocations(), live.frees(), kind + " " + live);
        assertTrue(live.used() <= 4L * a.capacity() / 16 + 4 * REGION, "at most a region per thread: " + live);
        a.close();
        AllocatorStats.Snapshot s = a.statsSnapshot();
        assertEquals(0, s.used(), kind + " " + capacity + " " + s);
      }
    }
  }

  /**
   * More live threads than the handle's cursor table has slots (64, by thread id): the threads
   * whose slot is taken go through the ThreadLocal, and each thread, whichever way it finds its
   * cursor, allocates in its own region and returns its latest block there. A second wave after
   * the first has ended reuses the slots the sweep freed. Counts stay exact throughout: the second
   * wave's threads make their first allocations together, so they sweep the first wave's ended
   * cursors at the same time, and each ended tally must still be published once (before the fix,
   * concurrent sweeps published some twice: frees 805 of 800; several arenas, as it is a race).
   */
  @Test
  void moreThreadsThanCursorSlotsEachKeepTheirOwnRegion() throws Exception {
    for (int arena = 0; arena < 8; arena++) {
      twoWavesOfThreads();
    }
  }

  private void twoWavesOfThreads() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.PESSIMISTIC).capacity(1 << 20))) {
      int threads = 80;
      int blocks = 5;
      for (int wave = 1; wave <= 2; wave++) {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch allHoldBlocks = new CountDownLatch(threads);
        ConcurrentHashMap<Long, Integer> owner = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int id = wave * 1000 + t;
          Thread th = new Thread(() -> {
            try {
              long[] mine = new long[blocks];
              assertTrue(go.await(20, TimeUnit.SECONDS)); // all first allocations (and sweeps) at once
              for (int i = 0; i < blocks; i++) {
                mine[i] = a.allocate(40);
                assertTrue(mine[i] > 0, "allocation " + i + " of thread " + id);
                a.buffer().putInt((int) mine[i], id);
                assertEquals(null, owner.putIfAbsent(mine[i], id), "offset handed out twice");
              }
              allHoldBlocks.countDown();
              assertTrue(allHoldBlocks.await(20, TimeUnit.SECONDS)); // every thread live at once
              for (int i = blocks - 1; i >= 0; i--) {
                assertEquals(id, a.buffer().getInt((int) mine[i]), "another thread wrote into my block");
                a.free(mine[i]); // the latest block each time: straight back to my region's top
              }
            } catch (Throwable e) {
              failure.compareAndSet(null, e);
              allHoldBlocks.countDown();
            }
          });
          ts.add(th);
          th.start();
        }
        go.countDown();
        for (Thread th : ts) {
          th.join(30_000);
          assertFalse(th.isAlive());
        }
        if (failure.get() != null) {
          throw new AssertionError("wave " + wave, failure.get());
        }
        assertEquals(threads * blocks, owner.size());
        // each thread's blocks lie in one region, and no two threads share a region
        List<Arena.Block> rs = regions(a);
        Map<Integer, Set<Long>> regionsOf = new HashMap<>();
        Map<Long, Integer> threadOf = new HashMap<>();
        for (Map.Entry<Long, Integer> e : owner.entrySet()) {
          long off = e.getKey();
          long region = rs.stream().filter(r -> r.offset < off && off < r.offset + r.size).mapToLong(r -> r.offset)
              .findFirst().orElseThrow(() -> new AssertionError("block " + off + " outside every region"));
          regionsOf.computeIfAbsent(e.getValue(), k -> new HashSet<>()).add(region);
          Integer before = threadOf.putIfAbsent(region, e.getValue());
          assertTrue(before == null || before.equals(e.getValue()),
              "wave " + wave + ": threads " + before + " and " + e.getValue() + " share the region at " + region);
        }
        regionsOf.forEach((id, r) -> assertEquals(1, r.size(), "thread " + id + " used regions " + r));
        AllocatorStats.Snapshot s = a.statsSnapshot();
        assertEquals((long) wave * threads * blocks, s.allocations(), "wave " + wave + ": " + s);
        assertEquals(s.allocations(), s.frees(), "wave " + wave + ": " + s);
      }
    }
  }

  /** Walks (blocks(), reclaim) while a thread allocates and frees its latest block nonstop. */
  @Test
  void walksStayConsistentWhileARegionChurns() throws Exception {
    try (Arena a = Arena.anonymous(opts(Arena.Freelist.PESSIMISTIC))) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicLong pairs = new AtomicLong();
      Thread churner = new Thread(() -> {
        try {
          List<Long> keep = new ArrayList<>();
          for (int i = 0; !stop.get() && i < 50_000_000; i++) {
            long o = a.allocate(8 + (i % 5) * 40);
            if (i % 97 == 0 && keep.size() < 60) {
              keep.add(o); // some stay, so the region fills and is replaced now and then
            } else {
              a.free(o);
            }
            pairs.incrementAndGet();
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      });
      churner.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      int walks = 0;
      while (System.nanoTime() < deadline && failure.get() == null) {
        for (Arena.Block b : a.blocks()) {
          assertTrue(b.offset >= a.dataOffset() && b.offset + b.size <= a.capacity(), b.toString());
        }
        assertEquals(0, a.reclaimDeadOwners());
        walks++;
      }
      stop.set(true);
      churner.join(10_000);
      if (failure.get() != null) {
        throw new AssertionError("the churning thread failed", failure.get());
      }
      assertTrue(walks > 10 && pairs.get() > 1000, walks + " walks, " + pairs + " allocations");
    }
  }

  @Test
  void aVersion1FileIsUsedWithoutRegions() throws Exception {
    // An arena of the first format (no regions) may be shared with an older reader: no regions.
    Path g = dir.resolve("v1.arena");
    try (Arena a = Arena.open(g, opts(Arena.Freelist.PESSIMISTIC))) {
      assertTrue(a.blocks().isEmpty());
    }
    try (FileChannel ch = FileChannel.open(g, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1), Arena.VERSION_OFFSET);
    }
    try (Arena a = Arena.open(g, opts(Arena.Freelist.PESSIMISTIC))) {
      long x = a.allocate(8);
      long y = a.allocate(8);
      assertTrue(regions(a).isEmpty(), "no region in a version 1 file: " + a.blocks());
      assertEquals("ALLOCATED", blockAt(a, x).state);
      assertEquals(x + 8 + Arena.BLOCK_HEADER, y);
    }
  }

  @Test
  void badRegionSizesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Arena.anonymous(Arena.Options.defaults().threadRegionSize(100)));
    assertTrue(e.getMessage().contains("threadRegionSize") && e.getMessage().contains("100"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Arena.anonymous(Arena.Options.defaults().threadRegionSize(-1)));
    assertEquals(0, Arena.effectiveRegionSize(16 << 10, 8 << 10), "a tiny arena has no regions");
    assertEquals(1 << 12, Arena.effectiveRegionSize(16 << 10, 64 << 10), "a sixteenth of the data area");
  }
}
