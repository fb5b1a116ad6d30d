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
    assertTrue(t.commit(k, 404));
    assertFalse(t.commit(k, 500));
    assertTrue(t.markAborted(k));
    long w = t.end(k, start);
    assertEquals(404, (int) w);
    assertTrue((w & InFlight.CALLING_BIT) != 0);
    assertTrue((w & InFlight.ABORTED_BIT) != 0);
    Object k2 = new Object();
    assertTrue(t.begin(k2, 1));
    assertTrue(t.commit(k2, 42)); // no valid status: committed, status unknown
    assertEquals(InFlight.COMMITTED_NO_STATUS, (int) t.end(k2, start));
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
