package dev.rainbarrel.alloc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Implemented by every rainbarrel allocator (number allocator, arena, buffer pool) so that the
 * MXBean {@code rainbarrel:type=Allocator,name=...}, the {@code rainbarrel.Allocator} JFR event
 * and the {@code allocators} section of {@code stat --json} can show any of them the same way.
 */
public interface AllocatorStats {

  /** A consistent-enough picture of the allocator now (each figure is read once). */
  Snapshot statsSnapshot();

  /**
   * Figures of one allocator at one moment. {@link #unit()} says what capacity/used/free count
   * ({@code "numbers"} or {@code "bytes"}); counters of events are since the allocator (or its
   * shared file) was created unless the allocator documents otherwise. A figure an allocator
   * cannot know is 0.
   */
  final class Snapshot {
    private final String kind;
    private final String unit;
    private final long capacity;
    private final long used;
    private final long free;
    private final long allocations;
    private final long frees;
    private final long failures;
    private final long discarded;
    private final long liveProcesses;
    private final long reclaimed;
    private final long unitBytes;

    /**
     * @param kind allocator kind, e.g. {@code "numbers"}, {@code "arena"}, {@code "iobuf"}
     * @param unit what capacity, used and free count
     * @param capacity total units the allocator can hand out
     * @param used units handed out now
     * @param free units that can still be handed out
     * @param allocations successful allocations
     * @param frees successful frees (including reclaimed ones)
     * @param failures allocations that found nothing free
     * @param discarded units lost to fragmentation (too small to reuse)
     * @param liveProcesses processes attached now (1 for in-process allocators)
     * @param reclaimed numbers or blocks taken back from dead processes
     */
    /** A snapshot whose unit size is 1 byte for unit "bytes", otherwise unknown (0). */
    public Snapshot(String kind, String unit, long capacity, long used, long free, long allocations,
        long frees, long failures, long discarded, long liveProcesses, long reclaimed) {
      this(kind, unit, capacity, used, free, allocations, frees, failures, discarded, liveProcesses,
          reclaimed, "bytes".equals(unit) ? 1 : 0);
    }

    /** A snapshot; {@code unitBytes} is the size of one unit in bytes, 0 when units vary. */
    public Snapshot(String kind, String unit, long capacity, long used, long free, long allocations,
        long frees, long failures, long discarded, long liveProcesses, long reclaimed, long unitBytes) {
      this.unitBytes = unitBytes;
      this.kind = kind;
      this.unit = unit;
      this.capacity = capacity;
      this.used = used;
      this.free = free;
      this.allocations = allocations;
      this.frees = frees;
      this.failures = failures;
      this.discarded = discarded;
      this.liveProcesses = liveProcesses;
      this.reclaimed = reclaimed;
    }

    /** Allocator kind. */
    public String kind() {
      return kind;
    }

    /** Unit of capacity, used, free and discarded. */
    public String unit() {
      return unit;
    }

    /** Total units. */
    public long capacity() {
      return capacity;
    }

    /** Units in use. */
    public long used() {
      return used;
    }

    /** Units still available. */
    public long free() {
      return free;
    }

    /** Successful allocations. */
    public long allocations() {
      return allocations;
    }

    /** Successful frees. */
    public long frees() {
      return frees;
    }

    /** Allocations that failed for lack of space. */
    public long failures() {
      return failures;
    }

    /** Units lost to fragmentation. */
    public long discarded() {
      return discarded;
    }

    /** Processes attached now. */
    public long liveProcesses() {
      return liveProcesses;
    }

    /** Bytes per unit (1 for byte-sized allocators), 0 when units have no fixed size. */
    public long unitBytes() {
      return unitBytes;
    }

    /** Numbers or blocks reclaimed from dead processes. */
    public long reclaimed() {
      return reclaimed;
    }

    /** The figures by name, in a stable order, for JSON, JMX and JFR. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", kind);
      m.put("unit", unit);
      m.put("capacity", capacity);
      m.put("used", used);
      m.put("free", free);
      m.put("allocations", allocations);
      m.put("frees", frees);
      m.put("failures", failures);
      m.put("discarded", discarded);
      m.put("liveProcesses", liveProcesses);
      m.put("reclaimed", reclaimed);
      m.put("unitBytes", unitBytes);
      return Collections.unmodifiableMap(m);
    }

    /**
     * The inverse of {@link #toMap()} (used across class loaders, where only JDK types pass);
     * missing figures are 0, missing strings empty.
     */
    public static Snapshot fromMap(Map<String, ?> m) {
      return new Snapshot(string(m, "kind"), string(m, "unit"), number(m, "capacity"), number(m, "used"),
          number(m, "free"), number(m, "allocations"), number(m, "frees"), number(m, "failures"),
          number(m, "discarded"), number(m, "liveProcesses"), number(m, "reclaimed"), number(m, "unitBytes"));
    }

    /** All zeros: the figures of an allocator that was closed or collected meanwhile. */
    public static Snapshot gone(String kind) {
      return new Snapshot(kind, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    private static String string(Map<String, ?> m, String k) {
      Object v = m.get(k);
      return v == null ? "" : v.toString();
    }

    private static long number(Map<String, ?> m, String k) {
      Object v = m.get(k);
      return v instanceof Number n ? n.longValue() : 0;
    }

    @Override
    public String toString() {
      return toMap().toString();
    }
  }
}
