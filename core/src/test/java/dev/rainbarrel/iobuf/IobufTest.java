package dev.rainbarrel.iobuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.alloc.AllocatorStats;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IobufTest {

  @Test
  void releasedChunksAreReusedFromThePool() {
    Pool pool = new Pool();
    Allocator a = new Allocator(pool, 0);
    Slice s = a.alloc(10);
    s.contents().put(0, (byte) 77);
    s.release();
    a.close();
    AllocatorStats.Snapshot st = pool.statsSnapshot();
    assertEquals(0, st.used());
    assertEquals(4096, st.free(), "the chunk went back to the pool");
    Allocator b = new Allocator(pool, 0);
    Slice t = b.alloc(10);
    assertEquals(77, t.contents().get(0), "same memory handed out again");
    assertEquals(4096, pool.statsSnapshot().used());
    assertEquals(0, pool.statsSnapshot().free());
    t.release();
    b.close();
  }

  @Test
  void reserveExpandTruncateAndPrefixArithmetic() {
    Pool pool = new Pool();
    try (Allocator a = new Allocator(pool, 16)) {
      Slice s = a.alloc(100);
      assertEquals(100, s.size());
      assertTrue(s.expandFront(16));
      assertEquals(116, s.size());
      assertFalse(s.expandFront(1), "only the 16 reserve bytes are free in front");
      s.truncateFront(10);
      assertEquals(106, s.size());
      assertTrue(s.expandFront(10));
      assertThrows(IllegalArgumentException.class, () -> s.truncateFront(117));
      Slice s2 = a.alloc(50); // chunk: s [0 free,16 base,116 bound) then s2 [116,132,182)
      assertFalse(s2.expandFront(17));
      s2.releasePrevious(s);
      assertTrue(s.isReleased());
      assertTrue(s2.expandFront(132), "s's bytes joined s2's free prefix");
      assertEquals(182, s2.size());
      assertFalse(s2.expandFront(1));
      Slice s3 = a.alloc(8);
      assertFalse(s3.expandFront(17));
      s3.freeEntirePrefix();
      assertTrue(s3.expandFront(182 + 16));
      s2.release();
      s3.release();
    }
    assertEquals(0, pool.statsSnapshot().used());
  }

  @Test
  void thousandOneKibSlicesCoalesceToTwoHundredFiftyWithContentIntact() {
    Pool pool = new Pool();
    List<Slice> slices = new ArrayList<>();
    try (Allocator a = new Allocator(pool, 0)) {
      for (int i = 0; i < 1000; i++) {
        Slice s = a.alloc(1024);
        ByteBuffer c = s.contents();
        for (int k = 0; k < 1024; k += 4) {
          c.putInt(k, i * 1024 + k);
        }
        slices.add(s);
      }
    }
    List<Slice> merged = Slice.coalesce(slices, 4096);
    assertEquals(250, merged.size());
    slices.forEach(s -> assertTrue(s.isReleased(), "inputs are consumed"));
    int i = 0;
    for (Slice m : merged) {
      assertEquals(4096, m.size());
      ByteBuffer c = m.contents();
      for (int k = 0; k < 4096; k += 4) {
        int item = i + k / 1024;
        assertEquals(item * 1024 + (k % 1024), c.getInt(k));
      }
      i += 4;
      m.release();
    }
    assertEquals(0, pool.statsSnapshot().used());
    assertEquals(1000, Slice.coalesce(mergedAgain(pool), 1000).size(), "limit below two slices: no merge");
  }

  private static List<Slice> mergedAgain(Pool pool) {
    List<Slice> l = new ArrayList<>();
    try (Allocator a = new Allocator(pool, 0)) {
      for (int i = 0; i < 1000; i++) {
        l.add(a.alloc(600));
      }
    }
    return l;
  }

  @Test
  void readerReturnsExactSlicesDrainsThenFailsAtEndOfStream() throws Exception {
    byte[] data = new byte[10_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31);
    }
    Pool pool = new Pool();
    try (Reader r = new Reader(pool, Channels.newChannel(new ByteArrayInputStream(data)))) {
      int pos = 0;
      for (int i = 0; i < 3; i++) {
        Slice s = r.read(3000);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, pos, pos + 3000), s.toArray());
        pos += 3000;
        s.release();
      }
      EOFException e = assertThrows(EOFException.class, () -> r.read(2000));
      assertTrue(e.getMessage().contains("only 1000"), e.getMessage());
      assertEquals(1000, r.available(), "a short read consumes nothing");
      Slice rest = r.read(1000);
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 9000, 10_000), rest.toArray());
      rest.release();
      assertThrows(EOFException.class, () -> r.read(1));
      Slice empty = r.read(0);
      assertEquals(0, empty.size());
      empty.release();
    }
    assertEquals(0, pool.statsSnapshot().used());
  }

  @Test
  void readerHandlesRequestsLargerThanAChunk() throws Exception {
    byte[] data = new byte[20_000];
    new java.util.Random(3).nextBytes(data);
    Pool pool = new Pool();
    try (Reader r = new Reader(pool, Channels.newChannel(new ByteArrayInputStream(data)))) {
      Slice a = r.read(100);
      Slice b = r.read(9000);
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, 9100), b.toArray());
      a.release();
      b.release();
    }
  }

  @Test
  void overReleaseAndUseAfterReleaseThrow() {
    Pool pool = new Pool();
    try (Allocator a = new Allocator(pool, 0)) {
      Slice s = a.alloc(8);
      s.release();
      IllegalStateException e = assertThrows(IllegalStateException.class, s::release);
      assertTrue(e.getMessage().contains("released twice"), e.getMessage());
      assertThrows(IllegalStateException.class, s::contents);
      assertThrows(IllegalStateException.class, () -> s.expandFront(1));
    }
  }

  @Test
  void leakDetectorReportsTheAllocationSite() throws Exception {
    List<String> reports = new CopyOnWriteArrayList<>();
    Pool pool = new Pool(4096, Long.MAX_VALUE, true, reports::add);
    Allocator a = new Allocator(pool, 0);
    leakOne(a);
    Slice kept = a.alloc(8);
    a.close();
    assertEquals(2, pool.unreleasedSlices());
    for (int i = 0; i < 200 && reports.isEmpty(); i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertEquals(1, reports.size(), "exactly the dropped slice is reported: " + reports);
    assertTrue(reports.get(0).contains("LEAK") && reports.get(0).contains("leakOne"), reports.get(0));
    assertEquals(1, pool.leaks());
    kept.release();
    assertEquals(0, pool.unreleasedSlices());
    assertEquals(0, pool.statsSnapshot().used(), "the leaked slice's chunk reference was dropped");
  }

  private static void leakOne(Allocator a) {
    a.alloc(100); // dropped without release
  }

  @Test
  void boundedPoolFailsClearlyAndRecoversAfterRelease() {
    Pool pool = new Pool(4096, 8192, false, m -> {});
    Allocator a = new Allocator(pool, 0);
    Slice s1 = a.alloc(4000);
    Slice s2 = a.alloc(4000); // second chunk
    PoolLimitException e = assertThrows(PoolLimitException.class, () -> a.alloc(4000));
    assertTrue(e.getMessage().contains("8192") && e.getMessage().contains("4096"), e.getMessage());
    assertEquals(1, pool.statsSnapshot().failures());
    s1.release();
    Slice s3 = a.alloc(4000);
    assertEquals(4000, s3.size());
    s2.release();
    s3.release();
    a.close();
  }

  @Test
  void closedPoolRefusesNewChunksButHeldSlicesStayValid() {
    Pool pool = new Pool();
    Allocator a = new Allocator(pool, 0);
    Slice s = a.alloc(4000);
    s.contents().put(0, (byte) 5);
    pool.close();
    assertTrue(pool.isClosed());
    assertThrows(IllegalStateException.class, () -> a.alloc(4000));
    assertEquals(5, s.contents().get(0));
    s.release();
    a.close();
    AllocatorStats.Snapshot st = pool.statsSnapshot();
    assertEquals(0, st.used());
    assertEquals(0, st.free(), "chunks released after close are dropped, not pooled");
    assertThrows(IllegalStateException.class, () -> new Allocator(pool, 0).alloc(1));
  }

  @Test
  void statsCountSlicesFreesAndDiscardedTails() {
    Pool pool = new Pool(1024, 1 << 20, false, m -> {});
    try (Allocator a = new Allocator(pool, 0)) {
      Slice x = a.alloc(1000);
      Slice y = a.alloc(100); // does not fit: 24-byte tail discarded
      AllocatorStats.Snapshot st = pool.statsSnapshot();
      assertEquals(2, st.allocations());
      assertEquals(24, st.discarded());
      assertEquals(2048, st.used());
      assertEquals(1 << 20, st.capacity());
      x.release();
      y.release();
      assertEquals(2, pool.statsSnapshot().frees());
      assertEquals("iobuf", st.kind());
    }
  }

  @Test
  void anAllocatorWhoseSlicesAreAllReleasedStartsItsChunkAgainInsteadOfTakingAnother() {
    Pool pool = new Pool(1024, 1 << 20, false, m -> {});
    try (Allocator a = new Allocator(pool, 0)) {
      for (int i = 0; i < 100; i++) { // 100 x 1000 B through one 1024-byte chunk
        Slice s = a.alloc(1000);
        s.contents().put(0, (byte) i);
        s.release();
      }
      AllocatorStats.Snapshot st = pool.statsSnapshot();
      assertEquals(1024, st.used(), "one chunk, reused in place");
      assertEquals(0, st.discarded(), "nothing discarded by starting again");
      assertEquals(100, st.allocations());
      assertEquals(100, st.frees());

      Slice kept = a.alloc(1000);
      kept.contents().put(0, (byte) 42);
      Slice next = a.alloc(1000); // kept is alive: a new chunk, kept untouched
      next.contents().put(0, (byte) 7);
      assertEquals(42, kept.contents().get(0));
      assertEquals(2048, pool.statsSnapshot().used());
      Slice third = a.alloc(1000); // next is alive too
      assertEquals(3072, pool.statsSnapshot().used());
      kept.release();
      next.release();
      third.release();
    }
    assertEquals(0, pool.statsSnapshot().used(), "every batched reference was given back");
    pool.close();
  }

  @Test
  void countsOfThreadsThatEndedAreKept() throws Exception {
    Pool pool = new Pool();
    Thread t = new Thread(() -> {
      try (Allocator a = new Allocator(pool, 0)) {
        for (int i = 0; i < 1000; i++) {
          a.alloc(100).release();
        }
        a.alloc(100); // never released
      }
    });
    t.start();
    t.join(10_000);
    assertFalse(t.isAlive());
    for (int round = 0; round < 2; round++) { // the first read folds the ended thread's tally
      AllocatorStats.Snapshot st = pool.statsSnapshot();
      assertEquals(1001, st.allocations());
      assertEquals(1000, st.frees());
    }
    Slice s = new Allocator(pool, 0).alloc(1);
    s.release();
    assertEquals(1002, pool.statsSnapshot().allocations());
    assertEquals(1001, pool.statsSnapshot().frees());
  }

  @Test
  void wrappedSlicesAreNotPooled() {
    Slice w = Slice.wrap(new byte[] {1, 2, 3});
    assertEquals(3, w.size());
    assertFalse(w.expandFront(1));
    w.release();
  }
}
