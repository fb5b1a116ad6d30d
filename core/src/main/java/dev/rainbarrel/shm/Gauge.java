package dev.rainbarrel.shm;

import java.nio.ByteBuffer;

/**
 * A named value that goes up and down (requests in flight, responses being written), kept as one
 * slot <em>per process</em> in a {@link Barrel}. Each slot is stamped with its owner (pid and
 * process start time); {@link #sum()} adds up the slots whose owners are alive, and a reclaim
 * ({@link Barrel#reclaimDeadOwners()}) zeroes and frees the slots of processes that died, so a
 * JVM killed with requests in flight never leaves the figure inflated.
 *
 * <p>The {@link SlotValue} operations touch only this process's slot; {@link #sum()} scans the
 * file.
 */
public final class Gauge extends SlotValue {
  private final Barrel barrel;

  Gauge(Barrel barrel, Barrel.Handle handle, ByteBuffer buf, int index) {
    super(handle, buf, index);
    this.barrel = barrel;
  }

  /** The sum of this gauge over every live process that maps the file. */
  public long sum() {
    checkOpen();
    return barrel.gaugeSum(handle.name, handle.label);
  }
}
