package dev.rainbarrel.agent.instrumentation.weave;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The skipping search agrees with a plain indexOf on every position, edge and near miss. */
class ByteSearchTest {

  @Test
  void agreesWithStringIndexOf() {
    Random r = new Random(42);
    String[] needles = {"jakarta/servlet/", "(Ljakarta/servlet/ServletRequest;)", "ab", "a", "aaa"};
    for (int round = 0; round < 2000; round++) {
      StringBuilder h = new StringBuilder();
      int len = r.nextInt(80);
      for (int i = 0; i < len; i++) {
        h.append("ab/j(L;s".charAt(r.nextInt(8)));
      }
      String needle = needles[r.nextInt(needles.length)];
      if (r.nextBoolean()) {
        int at = r.nextInt(h.length() + 1);
        String part = r.nextBoolean() ? needle : needle.substring(0, Math.max(0, needle.length() - 1)); // near miss
        h.insert(at, part);
      }
      String s = h.toString();
      assertEquals(s.contains(needle), new ByteSearch(needle).in(s.getBytes(StandardCharsets.ISO_8859_1)),
          "needle " + needle + " in " + s);
    }
  }
}
