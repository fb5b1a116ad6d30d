package dev.rainbarrel.arena;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A child JVM for the multi-process arena tests.
 *
 * <pre>
 * churn FILE ID OPS OUT   random allocate/free; detach what it holds at the end, write
 *                         "offset size" lines to OUT, print "done"
 * hold FILE N SIZE [freeLast|stay]  allocate N blocks of SIZE (and free the last one); the
 *                         fault point may freeze it; print "held" (and with stay, idle up to 120 s)
 * reclaim FILE            reclaim dead owners, print "reclaimed K"
 * </pre>
 * The wait timeout comes from the system property {@code test.waitMillis} (default 500), the
 * thread region size from {@code test.regionSize} (default: the library's).
 */
public final class ArenaChild {

  private ArenaChild() {}

  public static void main(String[] args) throws Exception {
    Duration wait = Duration.ofMillis(Long.getLong("test.waitMillis", 500));
    Arena.Options o = Arena.Options.defaults().waitTimeout(wait);
    Integer regionSize = Integer.getInteger("test.regionSize");
    if (regionSize != null) {
      o.threadRegionSize(regionSize);
    }
    Path file = Path.of(args[1]);
    switch (args[0]) {
      case "churn": {
        int id = Integer.parseInt(args[2]);
        int ops = Integer.parseInt(args[3]);
        try (Arena a = Arena.open(file, o)) {
          List<long[]> held = churn(a, id, ops);
          try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(args[4])))) {
            for (long[] h : held) {
              a.detach(h[0]);
              w.println(h[0] + " " + h[1] + " " + h[2]);
            }
          }
          System.out.println("reclaimed " + a.reclaimDeadOwners());
        }
        System.out.println("done");
        break;
      }
      case "hold": {
        Arena a = Arena.open(file, o); // never closed: the process is meant to die holding it
        int n = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        long last = Arena.NO_SPACE;
        for (int i = 0; i < n; i++) {
          last = a.allocate(size);
          if (last == Arena.NO_SPACE) {
            throw new IllegalStateException("no space for block " + i);
          }
        }
        if (args.length > 4 && args[4].equals("freeLast")) {
          a.free(last); // the fault point may freeze it while it returns the block to the bump pointer
        }
        System.out.println("held");
        if (args.length > 4 && args[4].equals("stay")) {
          System.out.flush();
          Thread.sleep(120_000); // alive and attached until the test kills it (bounded)
        }
        break;
      }
      case "reclaim": {
        try (Arena a = Arena.open(file, o)) {
          System.out.println("reclaimed " + a.reclaimDeadOwners());
        }
        break;
      }
      default:
        throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    System.out.flush();
  }

  /** Allocates and frees at random; returns what it still holds: offset, size, pattern. */
  static List<long[]> churn(Arena a, int id, int ops) {
    Random r = new Random(id * 7919L);
    ByteBuffer b = a.buffer();
    List<long[]> held = new ArrayList<>();
    for (int i = 0; i < ops; i++) {
      if (held.isEmpty() || (r.nextInt(3) != 0 && held.size() < 100)) {
        int size = 8 + 8 * r.nextInt(40);
        long o = a.allocate(size);
        if (o == Arena.NO_SPACE) {
          continue;
        }
        long pattern = ((long) id << 40) | i;
        for (int k = 0; k < size; k += 8) {
          b.putLong((int) o + k, pattern);
        }
        held.add(new long[] {o, size, pattern});
      } else {
        long[] h = held.remove(r.nextInt(held.size()));
        verify(b, h);
        a.free(h[0]);
      }
    }
    for (long[] h : held) {
      verify(b, h);
    }
    return held;
  }

  static void verify(ByteBuffer b, long[] h) {
    for (int k = 0; k < h[1]; k += 8) {
      long v = b.getLong((int) h[0] + k);
      if (v != h[2]) {
        throw new IllegalStateException("block at " + h[0] + " overwritten: 0x" + Long.toHexString(v));
      }
    }
  }
}
