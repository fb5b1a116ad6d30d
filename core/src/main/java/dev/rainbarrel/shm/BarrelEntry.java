package dev.rainbarrel.shm;

/**
 * One named value as a reader sees it.
 *
 * @param kind counter (belongs to the file) or gauge (summed over live owner processes)
 * @param name the name, e.g. {@code requests}
 * @param label the label (a listener address, or empty)
 * @param value the value; for a gauge the sum over live owners. Unsigned 64-bit.
 * @param owners for a gauge, how many live processes contribute; 0 for counters
 */
public record BarrelEntry(Kind kind, String name, String label, long value, int owners) {
  /** What a slot holds. */
  public enum Kind {
    COUNTER,
    GAUGE
  }
}
