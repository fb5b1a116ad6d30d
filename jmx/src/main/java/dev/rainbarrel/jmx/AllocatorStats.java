package dev.rainbarrel.jmx;

/**
 * One allocator's figures at one instant.
 *
 * @param capacity units it can hand out now (slots, numbers, bytes)
 * @param used units handed out now
 * @param allocations successful allocations since the allocator (or its file) was created
 * @param failures allocations that failed (full, I/O), as far as this process knows
 */
public record AllocatorStats(long capacity, long used, long allocations, long failures) {

  /** Units still free. */
  public long free() {
    return Math.max(0, capacity - used);
  }
}
