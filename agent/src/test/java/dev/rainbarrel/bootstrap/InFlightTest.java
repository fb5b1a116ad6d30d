package dev.rainbarrel.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InFlightTest {

  @Test
  void slotsAreReusedAfterEnd() {
    InFlight t = new InFlight();
    for (int round = 0; round < 3; round++) {
      List<Object> keys = new ArrayList<>();
      for (int i = 0; i < InFlight.CAPACITY / 4; i++) {
        Object k = new Object();
        assertTrue(t.begin(k, 7), "round " + round + " key " + i);
        keys.add(k);
      }
      for (Object k : keys) {
        long w = t.end(k, 10);
        assertEquals(InFlight.NOT_COMMITTED, InFlight.status(w));
        assertEquals(3, InFlight.durationNanos(w), "started at 7, ended at 10");
        assertEquals(-1, t.end(k, 11), "second end");
      }
    }
    assertEquals(0, t.untracked());
  }

  @Test
  void statusAndFlagsTravelToTheEnd() {
    InFlight t = new InFlight();
    Object k = new Object();
    assertTrue(t.begin(k, 1, true));
    assertFalse(t.begin(k, 2, true), "already tracked");
    assertEquals(InFlight.COMMITTED | InFlight.RELEASED_CALLING, t.commit(k, 404), "commit releases calling");
    assertEquals(0, t.commit(k, 500), "second commit");
    assertTrue(t.markAborted(k));
    long w = t.end(k, 10);
    assertEquals(404, InFlight.status(w));
    assertFalse(InFlight.heldCalling(w), "calling was released by the commit, not again at the end");
    assertTrue(InFlight.wasAborted(w));
    Object k3 = new Object();
    assertTrue(t.begin(k3, 1, true));
    assertTrue(t.markAborted(k3));
    long w3 = t.end(k3, 10);
    assertTrue(InFlight.heldCalling(w3), "ended before any commit: the end releases calling");
    assertEquals(InFlight.NOT_COMMITTED, InFlight.status(w3));
    assertTrue(t.begin(k3, 2), "slot reusable");
    long w4 = t.end(k3, 10);
    assertFalse(InFlight.wasAborted(w4), "the aborted flag did not outlive its request");
    assertFalse(InFlight.heldCalling(w4), "nor the calling hold");
    Object k2 = new Object();
    assertTrue(t.begin(k2, 1));
    assertEquals(InFlight.COMMITTED, t.commit(k2, 42)); // no valid status: committed, status unknown
    assertEquals(InFlight.COMMITTED_NO_STATUS, InFlight.status(t.end(k2, 10)));
    Object k5 = new Object();
    assertTrue(t.begin(k5, 100));
    assertEquals(0, InFlight.durationNanos(t.end(k5, 50)), "a clock read out of order never gives a negative duration");
    long threeDays = java.util.concurrent.TimeUnit.DAYS.toNanos(3); // a long-lived stream
    assertTrue(t.begin(k5, 1000));
    t.commit(k5, 200);
    long w5 = t.end(k5, 1000 + threeDays);
    assertEquals(threeDays, InFlight.durationNanos(w5));
    assertEquals(200, InFlight.status(w5), "the status survives beside a large duration");
    assertTrue(t.begin(k5, 0));
    assertEquals((1L << 51) - 1, InFlight.durationNanos(t.end(k5, Long.MAX_VALUE)), "clamped, never wrapped");
  }

  @Test
  void pipelinedRequestsQueueBehindTheCurrentOneUpToALimit() {
    InFlight t = new InFlight();
    Object ch = new Object();
    assertEquals(InFlight.STARTED, t.beginAsync(ch, 10));
    for (int i = 0; i < InFlight.MAX_QUEUED; i++) {
      assertEquals(InFlight.QUEUED, t.beginAsync(ch, 11));
    }
    long untracked = t.untracked();
    assertEquals(0, t.beginAsync(ch, 12), "queue full: not tracked");
    assertEquals(untracked + 1, t.untracked());
    long w = t.end(ch, 20);
    assertEquals(10, InFlight.durationNanos(w), "started at 10");
    assertTrue(InFlight.heldCalling(w), "ended uncommitted: released its own calling");
    assertEquals(InFlight.COMMITTED | InFlight.RELEASED_CALLING, t.commit(ch, 200), "the next one is current");
    w = t.end(ch, 30);
    assertEquals(10, InFlight.durationNanos(w), "the next one started when it reached the front (20)");
    assertEquals(200, InFlight.status(w));
    int ended = 2;
    int stillCalling = 0;
    while ((w = t.end(ch, 40)) >= 0) {
      ended++;
      stillCalling += InFlight.heldCalling(w) ? 1 : 0;
    }
    assertEquals(InFlight.MAX_QUEUED - 1, stillCalling, "each queued request released its own calling");
    assertEquals(InFlight.MAX_QUEUED + 1, ended);
    assertEquals(-1, t.find(ch), "slot freed after the last queued request");
  }

  /** A request object of the server's; its connection is where the table places it. */
  static final class PlacedRequest {
    final Object connection;

    PlacedRequest(Object connection) {
      this.connection = connection;
    }
  }

  @Test
  void requestsPlacedByTheirConnectionAreFoundCommittedAndEndedOnce() {
    InFlight t = new InFlight();
    // tracked before the server registered its source (an attach while it was in flight)
    Object early = new Object();
    PlacedRequest before = new PlacedRequest(early);
    assertTrue(t.begin(before, 0));
    java.util.Set<Object> asked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    t.placeBy(PlacedRequest.class, k -> {
      asked.add(k);
      return ((PlacedRequest) k).connection;
    });
    t.placeBy(PlacedRequest.class, k -> k); // only the first registration counts
    assertTrue(t.placedBy(PlacedRequest.class));
    assertFalse(t.placedBy(Object.class));
    assertEquals(InFlight.COMMITTED, t.commit(before, 200), "found where its own hash put it");
    assertEquals(200, InFlight.status(t.end(before, 1)), "and it ends");
    Object connection = new Object();
    for (int i = 0; i < 100; i++) { // one connection, a new request object each time
      PlacedRequest r = new PlacedRequest(connection);
      assertTrue(t.begin(r, i));
      assertEquals(InFlight.COMMITTED, t.commit(r, 200));
      assertTrue(t.markAborted(r));
      long w = t.end(r, i + 5);
      assertEquals(200, InFlight.status(w));
      assertTrue(InFlight.wasAborted(w));
      assertEquals(5, InFlight.durationNanos(w));
      assertEquals(-1, t.end(r, i + 6), "ended once");
      assertTrue(asked.contains(r), "placed through the registered source");
    }
    // two requests of one connection in flight at once (a pipelined overlap) share its window
    PlacedRequest a = new PlacedRequest(connection);
    PlacedRequest b = new PlacedRequest(connection);
    assertTrue(t.begin(a, 1));
    assertTrue(t.begin(b, 2));
    assertEquals(1, InFlight.durationNanos(t.end(b, 3)));
    assertEquals(2, InFlight.durationNanos(t.end(a, 3)));
    // a source that answers the request itself, and keys of other classes, use their own hash
    PlacedRequest alone = new PlacedRequest(null);
    assertTrue(t.begin(alone, 0));
    Object plain = new Object();
    assertTrue(t.begin(plain, 0));
    assertTrue(t.end(alone, 1) >= 0);
    assertTrue(t.end(plain, 1) >= 0);
    assertEquals(0, t.untracked());
  }

  @Test
  void aFullTableRefusesAndCountsInsteadOfLeaking() {
    InFlight t = new InFlight(InFlight.BITS, InFlight.BITS); // no overflow tables
    List<Object> tracked = new ArrayList<>();
    int refused = 0;
    for (int i = 0; i < InFlight.CAPACITY + 100; i++) {
      Object k = new Object();
      if (t.begin(k, 0)) {
        tracked.add(k);
      } else {
        refused++;
        assertEquals(0, t.commit(k, 200), "a refused request is never committed");
        assertEquals(-1, t.end(k, 1), "nor ended");
      }
    }
    assertTrue(refused >= 100, "refused " + refused);
    assertEquals(refused, t.untracked());
    for (Object k : tracked) {
      assertTrue(t.end(k, 1) >= 0);
    }
  }

  @Test
  void requestsBeyondTheFirstTableGoToOverflowTablesAndEndOnce() {
    InFlight t = new InFlight(4, 12); // 16 slots, then 64, 256, 1024, 4096
    List<Object> keys = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Object k = new Object();
      assertTrue(t.begin(k, i, i % 2 == 0), "key " + i);
      keys.add(k);
    }
    assertTrue(t.capacity() >= 16 + 64 + 256, "overflow tables were made: " + t.capacity());
    for (int i = 0; i < keys.size(); i++) {
      Object k = keys.get(i);
      assertFalse(t.begin(k, 1000), "key " + i + " is tracked already, in whichever table");
      int expected = i % 2 == 0 ? InFlight.COMMITTED | InFlight.RELEASED_CALLING : InFlight.COMMITTED;
      assertEquals(expected, t.commit(k, 200 + i % 300), "commit of key " + i);
      if (i % 3 == 0) {
        assertTrue(t.markAborted(k));
      }
    }
    for (int i = 0; i < keys.size(); i++) {
      long w = t.end(keys.get(i), 5000);
      assertTrue(w >= 0, "end of key " + i);
      assertEquals(200 + i % 300, InFlight.status(w));
      assertEquals(i % 3 == 0, InFlight.wasAborted(w));
      assertEquals(5000 - i, InFlight.durationNanos(w));
      assertEquals(-1, t.end(keys.get(i), 5001), "key " + i + " ends once");
    }
    assertEquals(0, t.untracked());
  }

  @Test
  void whenTheLastTableIsFullTooRequestsAreCountedAsUntracked() {
    InFlight t = new InFlight(4, 6); // 16 + 64 slots at most
    List<Object> tracked = new ArrayList<>();
    int refused = 0;
    for (int i = 0; i < 400; i++) {
      Object k = new Object();
      if (t.begin(k, 0)) {
        tracked.add(k);
      } else {
        refused++;
        assertEquals(-1, t.end(k, 1));
      }
    }
    assertEquals(80, tracked.size(), "every slot of both tables is used");
    assertEquals(320, refused);
    assertEquals(refused, t.untracked());
    for (Object k : tracked) {
      assertTrue(t.end(k, 1) >= 0);
    }
  }

  @Test
  void aKeyInAnOverflowTableIsNotTrackedTwiceWhenTheFirstTableHasRoomAgain() {
    InFlight t = new InFlight(4, 6);
    List<Object> first = new ArrayList<>();
    for (int i = 0; i < 16; i++) { // a 16-slot table: every window is the whole table
      Object k = new Object();
      assertTrue(t.begin(k, 0));
      first.add(k);
    }
    Object k = new Object();
    assertTrue(t.begin(k, 1, true), "tracked in the overflow table");
    assertTrue(t.end(first.get(0), 2) >= 0, "a slot of the first table is free again");
    assertFalse(t.begin(k, 3, true), "still tracked, in the overflow table");
    assertEquals(InFlight.STARTED, t.beginAsync(new Object(), 3), "the free slot takes a new key");
    assertEquals(InFlight.QUEUED, t.beginAsync(k, 4), "a pipelined request queues behind it there");
    assertEquals(InFlight.COMMITTED | InFlight.RELEASED_CALLING, t.commit(k, 200));
    long w = t.end(k, 5);
    assertEquals(4, InFlight.durationNanos(w), "the first request, started at 1");
    assertEquals(InFlight.COMMITTED | InFlight.RELEASED_CALLING, t.commit(k, 204), "the queued one is current");
    long next = t.end(k, 9);
    assertEquals(204, InFlight.status(next));
    assertEquals(4, InFlight.durationNanos(next), "started when it reached the front, at 5");
    assertEquals(-1, t.end(k, 10));
    assertEquals(0, t.untracked());
  }

  @Test
  void slottedRequestsRecordSlotsOfTheOverflowTables() {
    InFlight t = new InFlight(4, 10);
    List<SlottedRequest> open = new ArrayList<>();
    for (int n = 0; n < 100; n++) {
      SlottedRequest r = new SlottedRequest();
      assertTrue(t.begin(r, n), "request " + n);
      open.add(r);
    }
    assertEquals(open.size(), open.stream().mapToInt(r -> r.slot).distinct().count(), "a slot each");
    assertTrue(open.stream().anyMatch(r -> r.slot > 16), "some live in an overflow table");
    for (SlottedRequest r : open) {
      assertFalse(t.begin(r, 500), "found through its slot field");
      assertEquals(InFlight.COMMITTED, t.commit(r, 200));
    }
    for (SlottedRequest r : open) {
      assertTrue(t.end(r, 1000) >= 0);
      assertEquals(-1, t.end(r, 1001));
    }
    // A request recycled after its overflow slot was freed is tracked afresh (in the first table).
    SlottedRequest recycled = open.get(open.size() - 1);
    assertTrue(t.begin(recycled, 2000));
    assertTrue(recycled.slot >= 1 && recycled.slot <= 16, "slot " + recycled.slot);
    assertTrue(t.end(recycled, 2001) >= 0);
    assertEquals(0, t.untracked());
  }

  @Test
  void threadsFillingOverflowTablesAtOnceEndEveryRequestExactlyOnce() throws Exception {
    InFlight t = new InFlight(4, 12);
    int threads = 4;
    int perThread = 200;
    long[] ended = new long[threads];
    List<Thread> workers = new ArrayList<>();
    for (int n = 0; n < threads; n++) {
      int id = n;
      Thread w = new Thread(() -> {
        for (int round = 0; round < 20; round++) {
          List<Object> mine = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            Object k = (i & 1) == 0 ? new Object() : new SlottedRequest();
            if (t.begin(k, round)) {
              mine.add(k);
            }
          }
          for (Object k : mine) {
            t.commit(k, 200);
            if (t.end(k, round + 1) >= 0) {
              ended[id]++;
            }
          }
        }
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join(30_000);
    }
    long total = 0;
    for (long e : ended) {
      total += e;
    }
    assertEquals(0, t.untracked(), "800 at once fit in 16 + 64 + 256 + 1024 + 4096 slots");
    assertEquals((long) threads * perThread * 20, total);
  }

  /** What the agent makes of a server's per-request class: a slot field and its accessors. */
  static final class SlottedRequest implements InFlightSlot {
    int slot;

    @Override
    public int rainbarrel$getSlot() {
      return slot;
    }

    @Override
    public void rainbarrel$setSlot(int slotPlusOne) {
      slot = slotPlusOne;
    }
  }

  @Test
  void aSlottedRequestRecordsItsSlotAndIsFoundThroughIt() {
    InFlight t = new InFlight();
    SlottedRequest r = new SlottedRequest();
    assertTrue(t.begin(r, 5, true));
    int i = r.slot - 1;
    assertTrue(i >= 0 && i < InFlight.CAPACITY, "slot recorded: " + r.slot);
    assertFalse(t.begin(r, 6, true), "already tracked: found through the field");
    assertEquals(i + 1, r.slot, "a second begin keeps the slot");
    assertEquals(InFlight.COMMITTED | InFlight.RELEASED_CALLING, t.commit(r, 201));
    assertTrue(t.markAborted(r));
    long w = t.end(r, 9);
    assertEquals(201, InFlight.status(w));
    assertTrue(InFlight.wasAborted(w));
    assertEquals(4, InFlight.durationNanos(w));
    assertEquals(-1, t.end(r, 10), "ended once");
    assertEquals(0, t.commit(r, 200), "an ended request is not committed again");

    // One thread serving requests one after another gets the same (warm) slot each time.
    SlottedRequest next = new SlottedRequest();
    assertTrue(t.begin(next, 11));
    assertEquals(i + 1, next.slot, "the thread's first free slot again");
    assertTrue(t.end(next, 12) >= 0);
    // A recycled request object (Tomcat reuses them) whose old slot is free again starts afresh.
    assertTrue(t.begin(r, 20));
    assertTrue(t.end(r, 21) >= 0);
    assertEquals(0, t.untracked());
  }

  @Test
  void aSlottedRequestWhoseOldSlotNowHoldsAnotherIsNotConfusedWithIt() {
    InFlight t = new InFlight();
    SlottedRequest old = new SlottedRequest();
    assertTrue(t.begin(old, 1));
    int i = old.slot;
    assertTrue(t.end(old, 2) >= 0);
    SlottedRequest other = new SlottedRequest();
    assertTrue(t.begin(other, 3));
    assertEquals(i, other.slot, "the other request took the freed slot");
    assertEquals(-1, t.end(old, 4), "the stale field does not end the other request");
    assertEquals(0, t.commit(old, 200));
    assertFalse(t.markAborted(old));
    assertTrue(t.begin(old, 5), "tracked again, elsewhere");
    assertTrue(old.slot != i);
    assertEquals(2, InFlight.durationNanos(t.end(other, 5)), "the other request is intact");
    assertEquals(1, InFlight.durationNanos(t.end(old, 6)));
  }

  @Test
  void aThreadWithMoreRequestsInFlightThanItsWindowStillTracksThemAll() {
    InFlight t = new InFlight();
    List<SlottedRequest> open = new ArrayList<>();
    for (int n = 0; n < InFlight.PROBES * 2; n++) {
      SlottedRequest r = new SlottedRequest();
      assertTrue(t.begin(r, n), "request " + n);
      open.add(r);
    }
    long distinct = open.stream().mapToInt(r -> r.slot).distinct().count();
    assertEquals(open.size(), distinct, "every request has a slot of its own");
    for (SlottedRequest r : open) {
      assertTrue(t.end(r, 100) >= 0);
    }
    assertEquals(0, t.untracked());
  }

  @Test
  void requestsTrackedOnOneThreadAreEndedOnAnother() throws Exception {
    InFlight t = new InFlight();
    List<SlottedRequest> started = new ArrayList<>();
    for (int n = 0; n < 8; n++) {
      SlottedRequest r = new SlottedRequest();
      assertTrue(t.begin(r, 1));
      started.add(r);
    }
    long[] ended = new long[1];
    Thread other = new Thread(() -> {
      for (SlottedRequest r : started) {
        if (t.end(r, 3) >= 0) {
          ended[0]++;
        }
      }
    });
    other.start(); // start() and join() order the two threads, as a server's hand-over does
    other.join(10_000);
    assertEquals(8, ended[0]);
  }

  /**
   * A mark or a commit that looked a request up just before another thread ended it must not land
   * on the slot's next request (Tomcat's async {@code onError} on a container thread racing with
   * the end on Spring's application thread once made an unrelated request count as an error).
   * One thread runs a stream of requests through one slot, alternating keys that the other thread
   * keeps marking aborted and committing with keys nobody touches: none of the latter may end
   * aborted or committed. Bounded: at most 2 000 000 requests or 3 s.
   */
  @Test
  void aLateMarkOrCommitNeverReachesTheSlotsNextRequest() throws Exception {
    InFlight t = new InFlight(4, 4); // 16 slots: one thread's requests reuse one slot
    SlottedRequest[] marked = {new SlottedRequest(), new SlottedRequest()};
    SlottedRequest[] untouched = {new SlottedRequest(), new SlottedRequest()};
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    long[] commitsThatLanded = {0}; // read after join
    Thread marker = new Thread(() -> {
      for (long n = 0; !stop.get() && n < 200_000_000L; n++) {
        SlottedRequest k = marked[(int) (n & 1)];
        t.markAborted(k);
        if (t.commit(k, 200) != 0) {
          commitsThatLanded[0]++;
        }
      }
    });
    marker.start();
    long wrong = 0;
    long requests = 0;
    long endedCommitted = 0;
    long deadline = System.nanoTime() + 3_000_000_000L;
    try {
      for (int n = 0; n < 1_000_000 && System.nanoTime() < deadline; n++) {
        SlottedRequest a = marked[n & 1];
        assertTrue(t.begin(a, 1));
        long ra = t.end(a, 2);
        assertTrue(ra >= 0);
        if (InFlight.status(ra) != InFlight.NOT_COMMITTED) {
          endedCommitted++;
        }
        SlottedRequest b = untouched[n & 1];
        assertTrue(t.begin(b, 3));
        long r = t.end(b, 4);
        requests++;
        if (r < 0 || InFlight.wasAborted(r) || InFlight.status(r) != InFlight.NOT_COMMITTED) {
          wrong++;
        }
      }
    } finally {
      stop.set(true);
      marker.join(10_000);
    }
    assertEquals(0, wrong, "requests no thread marked or committed that ended marked or committed, of " + requests);
    assertEquals(0, t.untracked());
    // Every commit that reported success (writing +1) belongs to a request that then ended
    // committed (writing -1): a late commit must not land on a slot its request just left.
    assertEquals(commitsThatLanded[0], endedCommitted, "commits that landed vs requests that ended committed");
  }
}
