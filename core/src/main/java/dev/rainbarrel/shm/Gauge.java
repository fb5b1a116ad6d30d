package dev.rainbarrel.shm;

import java.nio.ByteBuffer;

/**
 * A named value that goes up and down (requests in flight, responses being written), kept as one
 * slot <em>per process</em> in a {@link Barrel}. Each slot is stamped with its owner (pid and
 * process start time); {@link #sum()} adds up the slots whose owners are alive, and a reclaim
 * ({@link Barrel#reclaimDeadOwners()}) zeroes and frees the slots of processes that died, so a
 * JVM killed with requests in flight never leaves the figure inflated.
 *
 * <p>{@link #increment()}, {@link #decrement()} and {@link #add(long)} touch only this process's
 * slot (atomic, volatile semantics) and return its new value; {@link #get()} reads this process's
 * slot; {@link #sum()} scans the file.
 */
public final class Gauge {
  private final Barrel barrel;
  private final Barrel.Handle handle;
  private final Barrel.Handle.State state; // read on every update: one load, not two
  private final ByteBuffer buf;
  private final int index;

  Gauge(Barrel barrel, Barrel.Handle handle, ByteBuffer buf, int index) {
    this.barrel = barrel;
    this.handle = handle;
    this.state = handle.state;
    this.buf = buf;
    this.index = index;
  }

  /** Adds one to this process's slot and returns its new value. */
  public long increment() {
    checkOpen();
    return (long) Barrel.LONG.getAndAdd(buf, index, 1L) + 1L;
  }

  /** Subtracts one from this process's slot and returns its new value. */
  public long decrement() {
    checkOpen();
    return (long) Barrel.LONG.getAndAdd(buf, index, -1L) - 1L;
  }

  /** Adds {@code delta} to this process's slot and returns its new value. */
  public long add(long delta) {
    checkOpen();
    return (long) Barrel.LONG.getAndAdd(buf, index, delta) + delta;
  }

  /** Overwrites this process's slot (release write). */
  public void set(long value) {
    checkOpen();
    Barrel.LONG.setRelease(buf, index, value);
  }

  /** This process's contribution. */
  public long get() {
    checkOpen();
    return (long) Barrel.LONG.getAcquire(buf, index);
  }

  /** The sum of this gauge over every live process that maps the file. */
  public long sum() {
    checkOpen();
    return barrel.gaugeSum(handle.name, handle.label);
  }

  /** The gauge's name. */
  public String name() {
    return handle.name;
  }

  /** The gauge's label (empty when none). */
  public String label() {
    return handle.label;
  }

  @Override
  public String toString() {
    return "Gauge[" + handle.name + (handle.label.isEmpty() ? "" : " " + handle.label) + "]";
  }

  private void checkOpen() {
    if (state.closed) {
      handle.checkOpen(); // throws with the message
    }
  }
}
