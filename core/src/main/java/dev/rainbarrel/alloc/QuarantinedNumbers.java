package dev.rainbarrel.alloc;

import dev.rainbarrel.shm.ProcessIdentity;

/**
 * Opt-in quarantine before reuse, as Agrona's free-for-reuse deadline: a freed number is not
 * made available at once but parked, in the shared region itself, under a quarantine owner stamp
 * that carries its release deadline, so that readers still holding the old number (in this or
 * any other process) do not see it reused by someone else for at least the quarantine period.
 *
 * <pre>
 *  63 62 61                                                                 0
 * +--+--+--------------------------------------------------------------------+
 * | 1| 1|                deadline, ms since the epoch                        |
 * +--+--+--------------------------------------------------------------------+
 * </pre>
 *
 * The top bit makes the stamp a non-process owner, which {@link NumberAllocator#reclaim} never
 * frees; {@link #releaseExpired()} (called by every {@link #allocate()} before it gives up, or by
 * a housekeeping thread) frees the numbers whose deadline has passed.
 */
public final class QuarantinedNumbers {

  static final long QUARANTINE = 0xC000_0000_0000_0000L;
  private static final long DEADLINE_MASK = 0x3FFF_FFFF_FFFF_FFFFL;

  private final NumberAllocator numbers;
  private final long quarantineMillis;
  private final java.util.function.LongSupplier clock;

  /** Quarantines freed numbers of {@code numbers} for {@code quarantineMillis}. */
  public QuarantinedNumbers(NumberAllocator numbers, long quarantineMillis) {
    this(numbers, quarantineMillis, System::currentTimeMillis);
  }

  QuarantinedNumbers(NumberAllocator numbers, long quarantineMillis, java.util.function.LongSupplier clock) {
    if (quarantineMillis < 0) {
      throw new IllegalArgumentException("quarantine must not be negative: " + quarantineMillis);
    }
    this.numbers = numbers;
    this.quarantineMillis = quarantineMillis;
    this.clock = clock;
  }

  /** True when {@code stamp} is a quarantine stamp. */
  public static boolean isQuarantine(long stamp) {
    return (stamp & QUARANTINE) == QUARANTINE;
  }

  /**
   * Allocates for this process; when nothing is free, releases expired quarantines and tries
   * once more (also when a concurrent sweep released them first). Returns {@link
   * NumberAllocator#NO_FREE_NUMBER} when still nothing is free.
   */
  public int allocate() {
    int n = numbers.allocate();
    if (n == NumberAllocator.NO_FREE_NUMBER) {
      // Retry even when this sweep released nothing: a concurrent sweep (another thread or
      // process) may just have released the numbers this one found already free.
      releaseExpired();
      n = numbers.allocate();
    }
    return n;
  }

  /**
   * Frees a number this process owns into quarantine.
   *
   * @throws IllegalStateException if this process does not own {@code n} (double free included)
   */
  public void free(int n) {
    long deadline = (clock.getAsLong() + quarantineMillis) & DEADLINE_MASK;
    numbers.transfer(n, ProcessIdentity.currentStamp(), QUARANTINE | deadline);
  }

  /** Numbers in quarantine now. */
  public int quarantined() {
    int q = 0;
    for (int n = 0; n < numbers.capacity(); n++) {
      if (isQuarantine(numbers.owner(n))) {
        q++;
      }
    }
    return q;
  }

  /** Frees every quarantined number whose deadline has passed; returns how many. */
  public int releaseExpired() {
    long now = clock.getAsLong();
    int released = 0;
    for (int n = 0; n < numbers.capacity(); n++) {
      long o = numbers.owner(n);
      if (isQuarantine(o) && (o & DEADLINE_MASK) <= now) {
        try {
          numbers.free(n, o);
          released++;
        } catch (IllegalStateException raced) {
          // another process released it first
        }
      }
    }
    return released;
  }
}
