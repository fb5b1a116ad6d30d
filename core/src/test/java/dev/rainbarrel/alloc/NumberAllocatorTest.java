package dev.rainbarrel.alloc;

import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.shm.ProcessIdentity;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** numballoc's behaviours, and the holes it leaves that this allocator closes. */
class NumberAllocatorTest {

  private static NumberAllocator fresh(int capacity) {
    ByteBuffer buf = ByteBuffer.allocateDirect((NumberAllocator.regionLength(capacity) + 63 & -64) + 64).alignedSlice(64);
    return NumberAllocator.format(buf, 0, capacity);
  }

  @Test
  void fillEveryNumberThenNoFreeThenFreeInRandomOrderAndRefill() {
    int capacity = 200; // not a multiple of 64: the tail bits must never be handed out
    NumberAllocator a = fresh(capacity);
    Set<Integer> got = new HashSet<>();
    for (int i = 0; i < capacity; i++) {
      int n = a.allocate();
      assertTrue(n >= 0 && n < capacity, "number " + n);
      assertTrue(got.add(n), "number " + n + " handed out twice");
    }
    assertEquals(NumberAllocator.NO_FREE_NUMBER, a.allocate());
    assertEquals(capacity, a.used());
    List<Integer> order = new ArrayList<>(got);
    Collections.shuffle(order, new Random(7));
    for (int n : order) {
      a.free(n);
    }
    assertEquals(0, a.used());
    Set<Integer> again = new HashSet<>();
    for (int i = 0; i < capacity; i++) {
      again.add(a.allocate());
    }
    assertEquals(got, again);
  }

  @Test
  void doubleFreeForeignFreeAndOutOfRangeAreLoud() {
    NumberAllocator a = fresh(64);
    int n = a.allocate();
    a.free(n);
    IllegalStateException twice = assertThrows(IllegalStateException.class, () -> a.free(n));
    assertEquals("number " + n + " is not allocated (double free?)", twice.getMessage());
    int m = a.allocate(NumberAllocator.FILE_OWNER);
    IllegalStateException foreign = assertThrows(IllegalStateException.class, () -> a.free(m));
    assertTrue(foreign.getMessage().startsWith("number " + m + " is owned by the file"), foreign.getMessage());
    assertTrue(a.isAllocated(m), "a refused free changes nothing");
    IndexOutOfBoundsException range = assertThrows(IndexOutOfBoundsException.class, () -> a.free(64));
    assertEquals("number 64 out of range [0, 64)", range.getMessage());
  }

  @Test
  void ownerIsStampedInTheAllocatingCas() {
    NumberAllocator a = fresh(10);
    long stamp = (12345L << 32) | 99;
    int n = a.allocate(stamp);
    assertEquals(stamp, a.owner(n));
    assertEquals(1, a.reclaim(s -> s == stamp, x -> {}));
    assertFalse(a.isAllocated(n));
    int f = a.allocate(NumberAllocator.FILE_OWNER);
    assertEquals(0, a.reclaim(s -> true, x -> {}), "file-owned numbers are never reclaimed");
    assertTrue(a.isAllocated(f));
  }

  /**
   * Owner reclaim judges a stamp by pid <em>and</em> start time: a stamp whose pid is alive now but
   * whose start time is another (the owner died and the kernel reused its pid) is reclaimed, while
   * the live holders of the pid keep theirs. A reaper judging by pid alone would keep the stale one.
   */
  @Test
  void aReusedPidIsNotMistakenForTheOwner() {
    NumberAllocator a = fresh(10);
    long parent = ProcessIdentity.stampOf(ProcessHandle.current().parent().orElseThrow().pid()).orElseThrow();
    long self = ProcessIdentity.currentStamp();
    // same pids, start times one tick off: the processes that held them are gone
    long staleSelf = self ^ 1;
    long staleParent = parent ^ 1;
    assertEquals(ProcessIdentity.pid(self), ProcessIdentity.pid(staleSelf));
    assertFalse(ProcessIdentity.isAlive(staleSelf), "this pid, another start time");
    assertFalse(ProcessIdentity.isAlive(staleParent), "a live pid of another process, another start time");
    assertTrue(ProcessIdentity.isAlive(parent));
    int mine = a.allocate();
    int parents = a.allocate(parent);
    int stale1 = a.allocate(staleSelf);
    int stale2 = a.allocate(staleParent);
    assertEquals(4, a.used());
    assertEquals(2, a.reclaimDeadOwners(), "exactly the two stale stamps");
    assertFalse(a.isAllocated(stale1));
    assertFalse(a.isAllocated(stale2));
    assertEquals(self, a.owner(mine));
    assertEquals(parent, a.owner(parents));
    assertEquals(0, a.reclaimDeadOwners(), "live owners are never reclaimed");
    assertEquals(2, a.used());
  }

  @Test
  void bitmapHealsAfterAProcessDiedBetweenTheTwoSteps() {
    int capacity = 64;
    ByteBuffer buf = ByteBuffer.allocateDirect((NumberAllocator.regionLength(capacity) + 63 & -64) + 64).alignedSlice(64);
    NumberAllocator a = NumberAllocator.format(buf, 0, capacity);
    // Owner claimed but bit never set (crash inside allocate): the scanner must skip and heal it.
    buf.order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(NumberAllocator.BITMAP_OFFSET + 8 + 8 * 0, 42L);
    assertEquals(1, a.allocate());
    assertEquals(1L | 2L, buf.getLong(NumberAllocator.BITMAP_OFFSET) & 3L, "bit 0 healed");
    // Bit set but owner cleared (crash inside free): reclaim clears the bit so 1 is found again.
    a.free(1);
    buf.putLong(NumberAllocator.BITMAP_OFFSET, buf.getLong(NumberAllocator.BITMAP_OFFSET) | 2L);
    a.reclaim(s -> false, x -> {});
    assertEquals(0, buf.getLong(NumberAllocator.BITMAP_OFFSET) & 2L);
  }

  @Test
  void concurrentAllocatorsNeverShareANumber() throws InterruptedException {
    int capacity = 4096;
    NumberAllocator a = fresh(capacity);
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        List<Integer> mine = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
          for (int i = 0; i < 8; i++) {
            int n = a.allocate();
            if (n >= 0) {
              mine.add(n);
            }
          }
          for (int n : mine) {
            assertTrue(seen.add(n), "number " + n + " held twice");
          }
          for (int n : mine) {
            seen.remove(n);
            a.free(n);
          }
          mine.clear();
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join(60_000);
    }
    assertEquals(0, a.used());
  }

  @Test
  void wrapValidatesRegion() {
    ByteBuffer buf = ByteBuffer.allocateDirect(256);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NumberAllocator.wrap(buf, 0));
    assertTrue(e.getMessage().contains("no number allocator at offset 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NumberAllocator.format(buf, 0, 1000));
    assertThrows(IllegalArgumentException.class, () -> NumberAllocator.format(buf, 3, 4));
  }
  /**
   * Threads that each hold at most one number of a one-word allocator never see it exhausted: a
   * claim that loses its CAS sets the summary bit, which can land after the winner freed the number
   * again; such stale bits are swept before NO_FREE_NUMBER is reported (found by the two-thread
   * JMH benchmark, which ran a 4096-number file dry within seconds).
   */
  @Test
  @org.junit.jupiter.api.Timeout(30)
  void contendedAllocateFreeNeverRunsDry() throws Exception {
    NumberAllocator a = fresh(64);
    int threads = 4;
    java.util.concurrent.atomic.AtomicInteger dry = new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> ts = new ArrayList<>();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    for (int t = 0; t < threads; t++) {
      long stamp = 1000 + t; // distinct owners, as for distinct processes
      Thread th = new Thread(() -> {
        for (int i = 0; i < 300_000 && System.nanoTime() < deadline; i++) {
          int n = a.allocate(stamp);
          if (n == NumberAllocator.NO_FREE_NUMBER) {
            dry.incrementAndGet();
            continue;
          }
          a.free(n, stamp);
        }
      });
      ts.add(th);
      th.start();
    }
    for (Thread th : ts) {
      th.join(20_000);
    }
    assertEquals(0, dry.get(), "allocate reported no free number while at most " + threads + " of 64 were held");
    for (int n = 0; n < 64; n++) {
      assertEquals(0, a.owner(n), "number " + n + " still owned");
    }
    Set<Integer> all = new HashSet<>();
    for (int n = 0; n < 64; n++) {
      all.add(a.allocate(1));
    }
    assertEquals(64, all.size(), "every number can be allocated again: " + all);
  }
}
