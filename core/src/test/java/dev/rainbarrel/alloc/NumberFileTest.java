package dev.rainbarrel.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.shm.ProcessIdentity;
import dev.rainbarrel.testing.ChildJvm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** numballoc's behaviours, over a file, plus what numballoc lacks. */
@Timeout(60)
class NumberFileTest {

  @TempDir Path dir;

  /** A stamp no live process can have: pid beyond the kernel's pid_max. */
  private static final long DEAD = (0x7FFF_FFF0L << 32) | 12345;

  @Test
  void fillEveryNumberThenNoFreeNumberThenFreeInRandomOrderAndRefill() throws Exception {
    try (NumberFile f = NumberFile.open(dir.resolve("n"), 1000)) {
      assertEquals(999, f.max());
      Set<Integer> got = new HashSet<>();
      for (int i = 0; i < 1000; i++) {
        int n = f.allocate();
        assertTrue(n >= 0 && n <= 999, "in range: " + n);
        assertTrue(got.add(n), "unique: " + n);
      }
      assertEquals(NumberAllocator.NO_FREE_NUMBER, f.allocate());
      assertEquals(-1, NumberAllocator.NO_FREE_NUMBER);
      List<Integer> order = new ArrayList<>(got);
      Collections.shuffle(order, new Random(42));
      for (int n : order) {
        f.free(n);
      }
      assertEquals(0, f.statsSnapshot().used());
      Set<Integer> again = new HashSet<>();
      for (int i = 0; i < 1000; i++) {
        again.add(f.allocate());
      }
      assertEquals(got, again);
      assertEquals(NumberAllocator.NO_FREE_NUMBER, f.allocate());
      AllocatorStats.Snapshot s = f.statsSnapshot();
      assertEquals(2000, s.allocations());
      assertEquals(1000, s.frees());
      assertEquals(2, s.failures());
      assertEquals(1000, s.used());
      assertEquals(0, s.free());
      assertEquals(1, s.liveProcesses());
    }
  }

  @Test
  void doubleForeignAndOutOfRangeFreesThrowNamingTheNumber() throws Exception {
    try (NumberFile f = NumberFile.open(dir.resolve("n"), 100)) {
      int n = f.allocate();
      f.free(n);
      IllegalStateException dbl = assertThrows(IllegalStateException.class, () -> f.free(n));
      assertTrue(dbl.getMessage().contains("number " + n) && dbl.getMessage().contains("double free"), dbl.getMessage());
      int m = f.allocator().allocate(DEAD);
      IllegalStateException foreign = assertThrows(IllegalStateException.class, () -> f.free(m));
      assertTrue(foreign.getMessage().contains("number " + m) && foreign.getMessage().contains("pid " + 0x7FFF_FFF0L),
          foreign.getMessage());
      IndexOutOfBoundsException out = assertThrows(IndexOutOfBoundsException.class, () -> f.free(100));
      assertTrue(out.getMessage().contains("number 100"), out.getMessage());
      assertThrows(IndexOutOfBoundsException.class, () -> f.free(-1));
      assertEquals(1, f.reclaimDeadOwners());
      assertEquals(0, f.statsSnapshot().used());
      assertEquals(1, f.statsSnapshot().reclaimed());
    }
  }

  @Test
  void reopeningKeepsCapacityAndAllocations() throws Exception {
    Path p = dir.resolve("n");
    int n;
    try (NumberFile f = NumberFile.open(p, 70)) {
      n = f.allocate();
    }
    try (NumberFile f = NumberFile.open(p, 5)) {
      assertEquals(69, f.max());
      assertTrue(f.allocator().isAllocated(n));
    }
  }

  @Test
  void damagedFilesAreRefusedByName() throws Exception {
    Path trunc = dir.resolve("trunc");
    try (NumberFile f = NumberFile.open(trunc, 1000)) {
      f.allocate();
    }
    try (FileChannel ch = FileChannel.open(trunc, StandardOpenOption.WRITE)) {
      ch.truncate(100);
    }
    assertRefused(trunc, "truncated: 100 bytes");
    Path zero = dir.resolve("zero");
    Files.write(zero, new byte[4096]);
    assertRefused(zero, "zero-filled");
    Path junk = dir.resolve("junk");
    Files.write(junk, "this is not a number allocator file at all".getBytes("US-ASCII"));
    assertRefused(junk, "wrong magic");
    Path tiny = dir.resolve("tiny");
    Files.write(tiny, new byte[] {1, 2, 3});
    assertRefused(tiny, "truncated: 3 bytes");
  }

  private static void assertRefused(Path p, String problem) throws Exception {
    byte[] before = Files.readAllBytes(p);
    IOException e = assertThrows(IOException.class, () -> NumberFile.open(p, 10));
    assertTrue(e.getMessage().startsWith(p + ": ") && e.getMessage().contains(problem), e.getMessage());
    assertEquals(ByteBuffer.wrap(before), ByteBuffer.wrap(Files.readAllBytes(p)));
  }

  @Test
  void quarantineDelaysReuseUntilTheDeadline() throws Exception {
    try (NumberFile f = NumberFile.open(dir.resolve("q"), 3)) {
      AtomicLong now = new AtomicLong(1_000_000);
      QuarantinedNumbers q = new QuarantinedNumbers(f.allocator(), 500, now::get);
      int a = q.allocate();
      int b = q.allocate();
      int c = q.allocate();
      q.free(b);
      assertEquals(1, q.quarantined());
      assertTrue(QuarantinedNumbers.isQuarantine(f.allocator().owner(b)));
      assertEquals(NumberAllocator.NO_FREE_NUMBER, q.allocate(), "b is still in quarantine");
      assertEquals(0, f.reclaimDeadOwners(), "the reaper never frees quarantined numbers");
      assertThrows(IllegalStateException.class, () -> q.free(b), "double free into quarantine");
      now.addAndGet(499);
      assertEquals(NumberAllocator.NO_FREE_NUMBER, q.allocate());
      now.addAndGet(1);
      assertEquals(b, q.allocate(), "reused once the deadline passed");
      assertEquals(0, q.quarantined());
      q.free(a);
      q.free(c);
      now.addAndGet(500);
      assertEquals(2, q.releaseExpired());
    }
  }

  @Test
  void processesGetDisjointNumbersAndAKilledProcessesNumbersAreReclaimed() throws Exception {
    Path p = dir.resolve("shared");
    try (NumberFile f = NumberFile.open(p, 200)) {
      assertEquals(199, f.max());
    }
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        children.add(new ChildJvm(dir.resolve("c" + i + ".err"), List.of(), NumberChild.class, p.toString(), "60"));
      }
      Set<Integer> all = new HashSet<>();
      for (ChildJvm c : children) {
        String[] f = c.await("numbers", 60).split(" ");
        assertEquals(61, f.length, String.join(" ", f));
        for (int i = 1; i < f.length; i++) {
          assertTrue(all.add(Integer.parseInt(f[i])), "number " + f[i] + " handed to two processes");
        }
      }
      long victim = ProcessIdentity.stampOf(children.get(0).process.pid()).orElseThrow();
      children.get(0).kill();
      try (NumberFile f = NumberFile.open(p, 200)) {
        assertEquals(180, f.statsSnapshot().used());
        assertEquals(60, f.reclaimDeadOwners());
        assertEquals(120, f.statsSnapshot().used());
        for (int n = 0; n < 200; n++) {
          assertTrue(f.allocator().owner(n) != victim);
        }
        assertEquals(2, f.statsSnapshot().liveProcesses());
      }
    } finally {
      children.forEach(ChildJvm::close);
    }
  }
}
