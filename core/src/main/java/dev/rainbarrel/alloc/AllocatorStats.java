package dev.rainbarrel.alloc;

/**
 * One allocator's figures at one instant.
 *
 * @param capacity units it can hand out now (slots, numbers, bytes)
 * @param used units handed out now
 * @param allocations successful allocations since the allocator (or its file) was created
 * @param failures allocations that failed (full, I/O), as far as this process knows
 * @param bytesPerUnit size of one unit in bytes (1 for byte allocators), 0 when not meaningful
 */
public record AllocatorStats(long capacity, long used, long allocations, long failures, long bytesPerUnit) {

  /** Figures of an allocator whose units have no fixed byte size. */
  public AllocatorStats(long capacity, long used, long allocations, long failures) {
    this(capacity, used, allocations, failures, 0);
  }

  /** Units still free. */
  public long free() {
    return Math.max(0, capacity - used);
  }
}
