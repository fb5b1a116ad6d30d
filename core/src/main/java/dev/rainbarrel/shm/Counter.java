package dev.rainbarrel.shm;

import java.nio.ByteBuffer;

/**
 * A named 64-bit counter in a {@link Barrel}: one slot that belongs to the file, shared by every
 * process that maps it, and that keeps its value after those processes exit.
 *
 * <p>Values wrap like unsigned 64-bit integers (raindrops' semantics): print them with {@link
 * Long#toUnsignedString(long)}. Memory ordering: {@link #increment()} and {@link #add(long)} are
 * atomic read-modify-writes with volatile semantics (a {@code lock xadd} on x86), {@link #get()}
 * is an acquire read, {@link #set(long)} a release write. Use after the Barrel is closed throws
 * {@link IllegalStateException}.
 */
public final class Counter {
  private final Barrel.Handle handle;
  private final Barrel.Handle.State state; // read on every update: one load, not two
  private final ByteBuffer buf;
  private final int index;

  Counter(Barrel.Handle handle, ByteBuffer buf, int index) {
    this.handle = handle;
    this.state = handle.state;
    this.buf = buf;
    this.index = index;
  }

  /** Adds one and returns the new value. */
  public long increment() {
    checkOpen();
    return (long) Barrel.LONG.getAndAdd(buf, index, 1L) + 1L;
  }

  /** Subtracts one and returns the new value. */
  public long decrement() {
    checkOpen();
    return (long) Barrel.LONG.getAndAdd(buf, index, -1L) - 1L;
  }

  /** Adds {@code delta} (may be negative) and returns the new value. */
  public long add(long delta) {
    checkOpen();
    return (long) Barrel.LONG.getAndAdd(buf, index, delta) + delta;
  }

  /** The current value (acquire read). */
  public long get() {
    checkOpen();
    return (long) Barrel.LONG.getAcquire(buf, index);
  }

  /** Overwrites the value (release write). */
  public void set(long value) {
    checkOpen();
    Barrel.LONG.setRelease(buf, index, value);
  }

  /** The counter's name. */
  public String name() {
    return handle.name;
  }

  /** The counter's label (empty when none). */
  public String label() {
    return handle.label;
  }

  @Override
  public String toString() {
    return "Counter[" + handle.name + (handle.label.isEmpty() ? "" : " " + handle.label) + "]";
  }

  private void checkOpen() {
    if (state.closed) {
      handle.checkOpen(); // throws with the message
    }
  }
}
