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
    long[] start = new long[1];
    for (int round = 0; round < 3; round++) {
      List<Object> keys = new ArrayList<>();
      for (int i = 0; i < InFlight.CAPACITY / 4; i++) {
        Object k = new Object();
        assertTrue(t.begin(k, 7), "round " + round + " key " + i);
        keys.add(k);
      }
      for (Object k : keys) {
        long w = t.end(k, start);
        assertEquals(InFlight.NOT_COMMITTED, (int) w);
        assertEquals(7, start[0]);
        assertEquals(-1, t.end(k, start), "second end");
      }
    }
    assertEquals(0, t.untracked());
  }

  @Test
  void statusAndFlagsTravelToTheEnd() {
    InFlight t = new InFlight();
    long[] start = new long[1];
    Object k = new Object();
    assertTrue(t.begin(k, 1, true));
    assertFalse(t.begin(k, 2, true), "already tracked");
    assertEquals(InFlight.COMMITTED | InFlight.RELEASED_CALLING, t.commit(k, 404), "commit releases calling");
    assertEquals(0, t.commit(k, 500), "second commit");
    assertTrue(t.markAborted(k));
    long w = t.end(k, start);
    assertEquals(404, (int) w);
    assertEquals(0, w & InFlight.CALLING_BIT, "calling was released by the commit, not again at the end");
    assertTrue((w & InFlight.ABORTED_BIT) != 0);
    Object k3 = new Object();
    assertTrue(t.begin(k3, 1, true));
    assertTrue(t.markAborted(k3));
    long w3 = t.end(k3, start);
    assertTrue((w3 & InFlight.CALLING_BIT) != 0, "ended before any commit: the end releases calling");
    assertEquals(InFlight.NOT_COMMITTED, (int) w3);
    assertTrue(t.begin(k3, 2), "slot reusable");
    assertEquals(0, t.end(k3, start) & InFlight.ABORTED_BIT, "the aborted flag did not outlive its request");
    Object k2 = new Object();
    assertTrue(t.begin(k2, 1));
    assertEquals(InFlight.COMMITTED, t.commit(k2, 42)); // no valid status: committed, status unknown
    assertEquals(InFlight.COMMITTED_NO_STATUS, (int) t.end(k2, start));
  }

  @Test
  void pipelinedRequestsQueueBehindTheCurrentOneUpToALimit() {
    InFlight t = new InFlight();
    long[] start = new long[1];
    Object ch = new Object();
    assertEquals(InFlight.STARTED, t.beginAsync(ch, 10));
    for (int i = 0; i < InFlight.MAX_QUEUED; i++) {
      assertEquals(InFlight.QUEUED, t.beginAsync(ch, 11));
    }
    long untracked = t.untracked();
    assertEquals(0, t.beginAsync(ch, 12), "queue full: not tracked");
    assertEquals(untracked + 1, t.untracked());
    long w = t.end(ch, start, 20);
    assertEquals(10, start[0]);
    assertTrue((w & InFlight.CALLING_BIT) != 0, "ended uncommitted: released its own calling");
    assertEquals(InFlight.COMMITTED | InFlight.RELEASED_CALLING, t.commit(ch, 200), "the next one is current");
    w = t.end(ch, start, 30);
    assertEquals(20, start[0], "the next one started when it reached the front");
    assertEquals(200, (int) w);
    int ended = 2;
    while (t.end(ch, start, 40) >= 0) {
      ended++;
    }
    assertEquals(InFlight.MAX_QUEUED + 1, ended);
    assertEquals(-1, t.find(ch), "slot freed after the last queued request");
  }

  @Test
  void aFullTableRefusesAndCountsInsteadOfLeaking() {
    InFlight t = new InFlight();
    int refused = 0;
    for (int i = 0; i < InFlight.CAPACITY + 100; i++) {
      if (!t.begin(new Object(), 0)) {
        refused++;
      }
    }
    assertTrue(refused >= 100, "refused " + refused);
    assertEquals(refused, t.untracked());
  }
}
