package dev.rainbarrel.shm;

import java.nio.ByteBuffer;

/**
 * A named value that goes up and down (requests in flight, responses being written), kept as one
 * slot <em>per process</em> in a {@link Barrel}. Each slot is stamped with its owner (pid and
 * process start time); {@link #sum()} adds up the slots whose owners are alive, and a reclaim
 * ({@link Barrel#reclaimDeadOwners()}) zeroes and frees the slots of processes that died, so a
 * JVM killed with requests in flight never leaves the figure inflated.
 *
 * <p>The {@link SlotValue} operations touch only this process's slot (its base record); {@link
 * #sum()} scans the file and also adds the gauge's <em>cells</em>: per-thread records of the
 * same name and label that {@link ThreadCells} leases to threads of a process, owned by that
 * process like its base record (freed on close, reclaimed when it dies).
 */
public final class Gauge extends SlotValue {
  private final Barrel barrel;

  Gauge(Barrel barrel, Barrel.Handle handle, ByteBuffer buf, int index) {
    super(handle, buf, index);
    this.barrel = barrel;
  }

  /** The sum of this gauge over every live process that maps the file, cells included. */
  public long sum() {
    checkOpen();
    return barrel.gaugeSum(handle.name, handle.label);
  }
}
