package dev.rainbarrel.shm;

import java.nio.ByteBuffer;

/**
 * A named 64-bit counter in a {@link Barrel}: one slot (the base record) that belongs to the file,
 * shared by every process that maps it, and that keeps its value after those processes exit.
 * Operations and memory ordering are those of {@link SlotValue}; print values with {@link
 * Long#toUnsignedString(long)} (they wrap like raindrops' counters).
 *
 * <p>A counter may also have <em>cells</em> (format version 2): per-thread records of the same
 * name and label, leased through {@link ThreadCells}, that only their thread writes, without a
 * locked instruction. The counter's value is the sum of the base record and its cells: {@link
 * #sum()}, and what every reader ({@link Barrel#entries()}) shows; {@link #get()} is the base
 * record alone.
 */
public final class Counter extends SlotValue {
  private final Barrel barrel;

  Counter(Barrel barrel, Barrel.Handle handle, ByteBuffer buf, int index) {
    super(handle, buf, index);
    this.barrel = barrel;
  }

  /** The counter's value: its base record plus every cell of it in the file (unsigned, wrapping). */
  public long sum() {
    checkOpen();
    return barrel.counterSum(handle.name, handle.label);
  }
}
