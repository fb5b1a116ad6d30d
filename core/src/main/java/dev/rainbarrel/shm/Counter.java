package dev.rainbarrel.shm;

import java.nio.ByteBuffer;

/**
 * A named 64-bit counter in a {@link Barrel}: one slot that belongs to the file, shared by every
 * process that maps it, and that keeps its value after those processes exit. Operations and
 * memory ordering are those of {@link SlotValue}; print values with {@link
 * Long#toUnsignedString(long)} (they wrap like raindrops' counters).
 */
public final class Counter extends SlotValue {
  Counter(Barrel.Handle handle, ByteBuffer buf, int index) {
    super(handle, buf, index);
  }
}
