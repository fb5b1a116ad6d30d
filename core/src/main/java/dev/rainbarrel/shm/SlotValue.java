package dev.rainbarrel.shm;

import java.nio.ByteBuffer;

/**
 * The operations on one 64-bit slot of a {@link Barrel}, shared by {@link Counter} (a slot of the
 * file) and {@link Gauge} (this process's slot). Values wrap like unsigned 64-bit integers.
 *
 * <p>A handle always names the <em>base record</em> of its (name, label), never a cell: the
 * per-thread records that {@link ThreadCells} leases and that only their own thread writes.
 * {@link #get()} therefore reads the base record alone; the figure a reader shows is {@link
 * Counter#sum()} / {@link Gauge#sum()}, which add the cells (as {@link Barrel#entries()} does).
 * Memory ordering: updates are atomic read-modify-writes with volatile semantics ({@code lock
 * xadd} on x86), {@link #get()} is an acquire read, {@link #set(long)} a release write. Use after
 * the Barrel is closed throws {@link IllegalStateException}.
 */
public abstract sealed class SlotValue permits Counter, Gauge {
  final Barrel.Handle handle;
  private final Barrel.Handle.State state; // read on every update: one load, not two
  private final ByteBuffer buf;
  private final int index;

  SlotValue(Barrel.Handle handle, ByteBuffer buf, int index) {
    this.handle = handle;
    this.state = handle.state;
    this.buf = buf;
    this.index = index;
  }

  /** Adds one and returns the new value. */
  public final long increment() {
    checkOpen();
    return (long) Barrel.LONG.getAndAdd(buf, index, 1L) + 1L;
  }

  /** Subtracts one and returns the new value. */
  public final long decrement() {
    checkOpen();
    return (long) Barrel.LONG.getAndAdd(buf, index, -1L) - 1L;
  }

  /** Adds {@code delta} (may be negative) and returns the new value. */
  public final long add(long delta) {
    checkOpen();
    return (long) Barrel.LONG.getAndAdd(buf, index, delta) + delta;
  }

  /** Overwrites the value (release write). */
  public final void set(long value) {
    checkOpen();
    Barrel.LONG.setRelease(buf, index, value);
  }

  /** The slot's value (acquire read). */
  public final long get() {
    checkOpen();
    return (long) Barrel.LONG.getAcquire(buf, index);
  }

  /** The name. */
  public final String name() {
    return handle.name;
  }

  /** The label (empty when none). */
  public final String label() {
    return handle.label;
  }

  /** The mapping that holds the value (for {@link ThreadCells}' shared row). */
  final ByteBuffer buffer() {
    return buf;
  }

  /** The value's offset in {@link #buffer()}. */
  final int index() {
    return index;
  }

  final void checkOpen() {
    if (state.closed) {
      handle.checkOpen(); // throws, naming the slot
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + handle.name + (handle.label.isEmpty() ? "" : " " + handle.label) + "]";
  }
}
