package dev.rainbarrel.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.shm.ProcessIdentity;
import dev.rainbarrel.testing.ChildJvm;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several JVMs share one arena file; some are killed with kill -9 in the middle of the protocol. */
@Timeout(120)
class ArenaMultiProcessTest {

  @TempDir Path dir;

  @Test
  void fourProcessesAllocateDisjointRanges() throws Exception {
    for (Arena.Freelist kind : new Arena.Freelist[] {Arena.Freelist.OPTIMISTIC, Arena.Freelist.PESSIMISTIC}) {
      Path file = dir.resolve(kind + ".arena");
      try (Arena a = Arena.open(file, Arena.Options.defaults().freelist(kind).capacity(4 << 20))) {
        assertEquals(kind, a.freelist());
      }
      List<ChildJvm> children = new ArrayList<>();
      try {
        for (int i = 1; i <= 4; i++) {
          children.add(new ChildJvm(dir.resolve(kind + "-" + i + ".err"), List.of(), ArenaChild.class,
              "churn", file.toString(), Integer.toString(i), "6000", dir.resolve(kind + "-" + i + ".out").toString()));
        }
        for (ChildJvm c : children) {
          c.await("done", 90);
          assertEquals(0, c.exitCode(20), c.output());
        }
      } finally {
        children.forEach(ChildJvm::close);
      }
      List<long[]> ranges = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        for (String l : Files.readAllLines(dir.resolve(kind + "-" + i + ".out"))) {
          String[] f = l.split(" ");
          ranges.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), i});
        }
      }
      assertTrue(ranges.size() > 40, "children kept blocks: " + ranges.size());
      ranges.sort(Comparator.comparingLong(r -> r[0]));
      for (int i = 1; i < ranges.size(); i++) {
        long[] p = ranges.get(i - 1);
        long[] q = ranges.get(i);
        assertTrue(p[0] + p[1] <= q[0], "child " + p[3] + " range [" + p[0] + ", " + (p[0] + p[1])
            + ") overlaps child " + q[3] + " range starting at " + q[0]);
      }
      try (Arena a = Arena.open(file, Arena.Options.defaults())) {
        ByteBuffer b = a.buffer();
        for (long[] r : ranges) {
          ArenaChild.verify(b, r);
        }
        List<Long> detached = new ArrayList<>();
        a.detached().forEach(d -> detached.add(d.offset));
        assertEquals(ranges.size(), detached.size());
        ranges.forEach(r -> assertTrue(detached.contains(r[0]), "detached block " + r[0] + " recovered"));
        assertEquals(1, a.attachedProcesses().size(), "children released their slots on close");
      }
    }
  }

  /** Prepares a file whose bump region is exhausted and whose freelist holds ten 216-byte segments. */
  private Path freelistOnlyArena(Arena.Freelist kind) throws Exception {
    Path file = dir.resolve("kill-" + kind + ".arena");
    try (Arena a = Arena.open(file, Arena.Options.defaults().freelist(kind).capacity(64 << 10))) {
      List<Long> blocks = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        long o = a.allocate(200);
        a.detach(o);
        blocks.add(o);
      }
      long o;
      while ((o = a.allocate(4000)) != Arena.NO_SPACE) {
        a.detach(o);
      }
      while ((o = a.allocate(8)) != Arena.NO_SPACE) {
        a.detach(o);
      }
      for (int i = 0; i < 20; i += 2) {
        a.free(blocks.get(i));
      }
      assertEquals(10, a.blocks().stream().filter(b -> b.state.equals("FREE")).count());
    }
    return file;
  }

  @Test
  void aProcessKilledBetweenMarkingAndUnlinkingDoesNotWedgeTheOthers() throws Exception {
    for (Arena.Freelist kind : new Arena.Freelist[] {Arena.Freelist.OPTIMISTIC, Arena.Freelist.PESSIMISTIC}) {
      Path file = freelistOnlyArena(kind);
      long victimStamp;
      try (ChildJvm victim = new ChildJvm(dir.resolve("victim.err"),
          List.of("-Drainbarrel.arena.pauseAt=" + FaultPoint.FREELIST_MARKED + ":3"), ArenaChild.class,
          "hold", file.toString(), "5", "100")) {
        victim.await("rainbarrel-fault-point " + FaultPoint.FREELIST_MARKED, 60);
        victimStamp = ProcessIdentity.stampOf(victim.process.pid()).orElseThrow();
        try (Arena a = Arena.open(file, Arena.Options.defaults())) {
          List<Arena.Block> taking = a.blocks().stream().filter(b -> b.state.equals("TAKING")).toList();
          assertEquals(1, taking.size(), "the victim froze holding one marked node: " + a.blocks());
          assertEquals(victimStamp, taking.get(0).ownerStamp);
        }
        victim.kill();
      }
      assertFalse(ProcessIdentity.isAlive(victimStamp));
      // Survivors allocate from the freelist, passing the dead process's marked node.
      List<ChildJvm> others = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          others.add(new ChildJvm(dir.resolve("other" + i + ".err"), List.of(), ArenaChild.class,
              "hold", file.toString(), "3", "100", "stay"));
        }
        for (ChildJvm c : others) {
          c.await("held", 30);
        }
        for (ChildJvm c : others) {
          assertTrue(c.process.isAlive(), "the survivors stay attached while the reaper runs");
        }
        try (ChildJvm reaper = new ChildJvm(dir.resolve("reaper.err"), List.of(), ArenaChild.class,
            "reclaim", file.toString())) {
          String line = reaper.await("reclaimed", 30);
          // the victim held 2 allocated blocks and the half-removed node; the two survivors are
          // still alive ("stay": they print and then idle until destroyed)
          assertTrue(Integer.parseInt(line.split(" ")[1]) >= 3, line + "\n" + reaper.output());
        }
        try (Arena a = Arena.open(file, Arena.Options.defaults())) {
          List<Arena.Block> blocks = a.blocks();
          assertTrue(blocks.stream().noneMatch(b -> b.ownerStamp == victimStamp), blocks.toString());
          assertTrue(blocks.stream().noneMatch(b -> b.state.equals("TAKING")), blocks.toString());
          assertFalse(a.attachedProcesses().contains(victimStamp));
          assertTrue(a.statsSnapshot().reclaimed() >= 3, a.statsSnapshot().toString());
          for (ChildJvm c : others) { // the live survivors keep their three blocks each
            long stamp = ProcessIdentity.stampOf(c.process.pid()).orElseThrow();
            assertEquals(3, blocks.stream().filter(b -> b.ownerStamp == stamp).count(), blocks.toString());
          }
          assertNoMarkedNodeReachable(a);
        }
      } finally {
        others.forEach(ChildJvm::close);
      }
    }
  }

  @Test
  void aProcessKilledAfterClaimingTheBumpPointerIsHelpedAndReclaimed() throws Exception {
    Path file = arenaWithOneDetachedBlock("bump.arena", 64 << 10);
    long victimStamp;
    try (ChildJvm victim = new ChildJvm(dir.resolve("victim.err"),
        List.of("-Dtest.regionSize=0", "-Drainbarrel.arena.pauseAt=" + FaultPoint.BUMP_CLAIMED + ":3"), ArenaChild.class,
        "hold", file.toString(), "5", "100")) {
      victim.await("rainbarrel-fault-point " + FaultPoint.BUMP_CLAIMED, 60);
      victimStamp = ProcessIdentity.stampOf(victim.process.pid()).orElseThrow();
      victim.kill();
    }
    long start = System.nanoTime();
    try (ChildJvm other = new ChildJvm(dir.resolve("other.err"), List.of("-Dtest.waitMillis=300"),
        ArenaChild.class, "hold", file.toString(), "4", "100")) {
      other.await("held", 30);
    }
    assertTrue(System.nanoTime() - start < 25_000_000_000L);
    try (Arena a = Arena.open(file, Arena.Options.defaults())) {
      assertEquals(3, a.blocks().stream().filter(b -> b.ownerStamp == victimStamp).count(),
          "two allocations plus the one published on the dead owner's behalf: " + a.blocks());
      assertTrue(a.reclaimDeadOwners() >= 3);
      assertTrue(a.blocks().stream().noneMatch(b -> b.ownerStamp == victimStamp));
    }
  }

  @Test
  void aProcessKilledWhileReturningItsLastBlockToTheBumpPointerIsHelpedAndReclaimed() throws Exception {
    Path file = arenaWithOneDetachedBlock("return.arena", 64 << 10);
    long victimStamp;
    try (ChildJvm victim = new ChildJvm(dir.resolve("victim.err"),
        List.of("-Dtest.regionSize=0", "-Drainbarrel.arena.pauseAt=" + FaultPoint.RETURN_MARKED), ArenaChild.class,
        "hold", file.toString(), "3", "100", "freeLast")) {
      victim.await("rainbarrel-fault-point " + FaultPoint.RETURN_MARKED, 60);
      victimStamp = ProcessIdentity.stampOf(victim.process.pid()).orElseThrow();
      victim.kill();
    }
    try (ChildJvm other = new ChildJvm(dir.resolve("other.err"), List.of("-Dtest.waitMillis=300"),
        ArenaChild.class, "hold", file.toString(), "2", "100")) {
      other.await("held", 30);
    }
    try (Arena a = Arena.open(file, Arena.Options.defaults())) {
      assertEquals(3, a.blocks().stream().filter(b -> b.ownerStamp == victimStamp).count(), a.blocks().toString());
      // the victim's three, plus the two of the survivor, which was destroyed when its block ended
      assertEquals(5, a.reclaimDeadOwners());
      assertTrue(a.blocks().stream().noneMatch(b -> b.ownerStamp == victimStamp));
      assertEquals(1, a.blocks().size() - a.blocks().stream().filter(b -> !b.state.equals("DETACHED")).count());
      assertFalse(a.attachedProcesses().contains(victimStamp));
    }
  }

  @Test
  void aLiveProcessThatStallsTheProtocolGetsADiagnosticNotAHang() throws Exception {
    Path file = arenaWithOneDetachedBlock("stall.arena", 64 << 10);
    try (ChildJvm staller = new ChildJvm(dir.resolve("staller.err"),
        List.of("-Dtest.regionSize=0", "-Drainbarrel.arena.pauseAt=" + FaultPoint.BUMP_CLAIMED), ArenaChild.class,
        "hold", file.toString(), "1", "100")) {
      staller.await("rainbarrel-fault-point", 60);
      try (Arena a = Arena.open(file, Arena.Options.defaults().waitTimeout(java.time.Duration.ofMillis(200)))) {
        ArenaTimeoutException e = org.junit.jupiter.api.Assertions.assertThrows(
            ArenaTimeoutException.class, () -> a.allocate(10));
        assertTrue(e.getMessage().contains("pid " + staller.process.pid()) && e.getMessage().contains("unpublished"),
            e.getMessage());
      }
    }
  }

  /** A process killed while it holds blocks in its region: reclaim takes them and the region back. */
  @Test
  void theRegionOfAKilledProcessIsRetiredAndItsBlocksReclaimed() throws Exception {
    Path file = arenaWithOneDetachedBlock("region.arena", 256 << 10);
    long victimStamp;
    try (ChildJvm victim = new ChildJvm(dir.resolve("victim.err"), List.of("-Dtest.regionSize=4096"),
        ArenaChild.class, "hold", file.toString(), "5", "100")) {
      victim.await("held", 60);
      victimStamp = ProcessIdentity.stampOf(victim.process.pid()).orElseThrow();
      victim.kill();
    }
    try (Arena a = Arena.open(file, Arena.Options.defaults())) {
      List<Arena.Block> before = a.blocks();
      assertEquals(1, before.stream().filter(b -> b.state.equals("REGION") && b.ownerStamp == victimStamp).count(),
          before.toString());
      assertEquals(5, before.stream().filter(b -> b.state.equals("ALLOCATED") && b.ownerStamp == victimStamp).count());
      long usedBefore = a.statsSnapshot().used();
      assertEquals(5, a.reclaimDeadOwners());
      List<Arena.Block> after = a.blocks();
      assertTrue(after.stream().noneMatch(b -> b.ownerStamp == victimStamp), after.toString());
      assertTrue(after.stream().noneMatch(b -> b.state.equals("TAKING")), after.toString());
      assertTrue(a.statsSnapshot().used() < usedBefore - 4000, "the region's tail and blocks are free again: "
          + a.statsSnapshot());
      assertFalse(a.attachedProcesses().contains(victimStamp));
    }
  }

  /** Killed after publishing a full region's tail as its own in-transit block, before listing it. */
  @Test
  void aProcessKilledWhileRetiringItsRegionIsCompletedByReclaim() throws Exception {
    Path file = arenaWithOneDetachedBlock("retire.arena", 256 << 10);
    long victimStamp;
    // 4096-byte regions hold four 900-byte blocks: the fifth allocation retires the first region
    try (ChildJvm victim = new ChildJvm(dir.resolve("victim.err"),
        List.of("-Dtest.regionSize=4096", "-Drainbarrel.arena.pauseAt=" + FaultPoint.REGION_TAIL_PUBLISHED),
        ArenaChild.class, "hold", file.toString(), "5", "900")) {
      victim.await("rainbarrel-fault-point " + FaultPoint.REGION_TAIL_PUBLISHED, 60);
      victimStamp = ProcessIdentity.stampOf(victim.process.pid()).orElseThrow();
      try (Arena a = Arena.open(file, Arena.Options.defaults())) {
        List<Arena.Block> taking = a.blocks().stream().filter(b -> b.state.equals("TAKING")).toList();
        assertEquals(1, taking.size(), "the tail, in transit: " + a.blocks());
        assertEquals(victimStamp, taking.get(0).ownerStamp);
      }
      victim.kill();
    }
    try (Arena a = Arena.open(file, Arena.Options.defaults())) {
      long freeBefore = a.blocks().stream().filter(b -> b.state.equals("FREE")).count();
      assertEquals(4 + 1, a.reclaimDeadOwners(), "four blocks and the tail: " + a.blocks());
      List<Arena.Block> after = a.blocks();
      assertTrue(after.stream().noneMatch(b -> b.ownerStamp == victimStamp), after.toString());
      assertTrue(after.stream().noneMatch(b -> b.state.equals("TAKING")), after.toString());
      assertTrue(after.stream().filter(b -> b.state.equals("REGION")).allMatch(b -> b.ownerStamp == 0));
      assertEquals(freeBefore + 5, after.stream().filter(b -> b.state.equals("FREE")).count(), after.toString());
      assertNoMarkedNodeReachable(a);
    }
  }

  /** A new arena file of {@code capacity} bytes holding one detached 64-byte block. */
  /**
   * The stats snapshot's liveProcesses counts the attached slots whose owner is alive: this handle
   * 1; a live child 2; a killed child's slot, still attached until reclaimed, not counted (2, while
   * three slots are attached); a second handle of this process holds its own slot (3) and gives it
   * back on close (2); the live child killed, 1.
   */
  @Test
  void liveProcessesCountsTheLiveAttachedSlots() throws Exception {
    Path file = dir.resolve("live.arena");
    try (Arena a = Arena.open(file, Arena.Options.defaults().capacity(256 << 10))) {
      assertEquals(1, a.statsSnapshot().liveProcesses(), a.statsSnapshot().toString());
      assertEquals(1, a.attachedProcesses().size());
      try (ChildJvm live = new ChildJvm(dir.resolve("live.err"), List.of(), ArenaChild.class,
              "hold", file.toString(), "2", "64", "stay");
          ChildJvm victim = new ChildJvm(dir.resolve("dead.err"), List.of(), ArenaChild.class,
              "hold", file.toString(), "2", "64", "stay")) {
        live.await("held", 60);
        victim.await("held", 60);
        assertTrue(live.process.isAlive() && victim.process.isAlive(), "holders idle after 'held'");
        assertEquals(3, a.statsSnapshot().liveProcesses(), a.statsSnapshot().toString());
        long victimStamp = ProcessIdentity.stampOf(victim.process.pid()).orElseThrow();
        victim.kill();
        assertEquals(3, a.attachedProcesses().size(), "the dead slot stays until reclaimed");
        assertTrue(a.attachedProcesses().contains(victimStamp));
        assertEquals(2, a.statsSnapshot().liveProcesses(), a.statsSnapshot().toString());
        try (Arena second = Arena.open(file, Arena.Options.defaults())) {
          assertEquals(3, second.statsSnapshot().liveProcesses(), second.statsSnapshot().toString());
          assertEquals(3, a.statsSnapshot().liveProcesses(), "the same figure from every handle");
        }
        assertEquals(2, a.statsSnapshot().liveProcesses(), "a closed handle releases its slot");
        assertEquals(2, a.reclaimDeadOwners(), "the victim's two blocks");
        assertEquals(2, a.attachedProcesses().size());
        assertEquals(2, a.statsSnapshot().liveProcesses(), a.statsSnapshot().toString());
        assertTrue(live.process.isAlive());
        live.kill();
        assertEquals(1, a.statsSnapshot().liveProcesses(), a.statsSnapshot().toString());
      }
    }
  }

  private Path arenaWithOneDetachedBlock(String name, int capacity) throws Exception {
    Path file = dir.resolve(name);
    try (Arena a = Arena.open(file, Arena.Options.defaults().capacity(capacity))) {
      a.detach(a.allocate(64));
    }
    return file;
  }

  private static void assertNoMarkedNodeReachable(Arena a) {
    ByteBuffer b = a.buffer();
    long link = b.getLong(Arena.HEAD_OFFSET);
    for (int i = 0; i < 100_000 && Arena.next(link) != 0; i++) {
      link = b.getLong(Arena.next(link) + Arena.LINK);
      assertFalse(Arena.marked(link), "a marked node is still linked");
    }
  }
}
