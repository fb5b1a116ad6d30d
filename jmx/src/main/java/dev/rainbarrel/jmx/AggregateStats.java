package dev.rainbarrel.jmx;

import dev.rainbarrel.stats.SampleSnapshot;
import javax.management.ConstructorParameters;

/**
 * A listener's {@code active} or {@code queued} aggregate as the MXBean framework maps it to a
 * {@code CompositeData} (items named after the getters: {@code count}, {@code min}, {@code max},
 * {@code mean}, {@code stdDev}, ...), so clients need none of our classes. Definitions are those
 * of {@link SampleSnapshot} (raindrops' Watcher; sample standard deviation).
 */
public final class AggregateStats {
  private final long count;
  private final long sum;
  private final long min;
  private final long max;
  private final double mean;
  private final double stdDev;
  private final long outliersLow;
  private final long outliersHigh;
  private final long p50;
  private final long p90;
  private final long p99;
  private final long current;
  private final long lastResetMillis;
  private final long firstPeakAtMillis;
  private final long lastPeakAtMillis;
  private final long[] log2Counts;

  /** All fields, in getter order (used by the MXBean framework to rebuild one). */
  @ConstructorParameters({"count", "sum", "min", "max", "mean", "stdDev", "outliersLow", "outliersHigh",
      "p50", "p90", "p99", "current", "lastResetMillis", "firstPeakAtMillis", "lastPeakAtMillis", "log2Counts"})
  public AggregateStats(long count, long sum, long min, long max, double mean, double stdDev,
      long outliersLow, long outliersHigh, long p50, long p90, long p99, long current,
      long lastResetMillis, long firstPeakAtMillis, long lastPeakAtMillis, long[] log2Counts) {
    this.count = count;
    this.sum = sum;
    this.min = min;
    this.max = max;
    this.mean = mean;
    this.stdDev = stdDev;
    this.outliersLow = outliersLow;
    this.outliersHigh = outliersHigh;
    this.p50 = p50;
    this.p90 = p90;
    this.p99 = p99;
    this.current = current;
    this.lastResetMillis = lastResetMillis;
    this.firstPeakAtMillis = firstPeakAtMillis;
    this.lastPeakAtMillis = lastPeakAtMillis;
    this.log2Counts = log2Counts.clone();
  }

  /** Copies a snapshot. */
  public static AggregateStats of(SampleSnapshot s) {
    return new AggregateStats(s.count(), s.sum(), s.min(), s.max(), s.mean(), s.stddev(),
        s.outliersLow(), s.outliersHigh(), s.p50(), s.p90(), s.p99(), s.current(),
        s.lastResetMillis(), s.firstPeakAtMillis(), s.lastPeakAtMillis(), s.log2Counts());
  }

  /** Samples since creation or reset. */
  public long getCount() {
    return count;
  }

  /** Sum of the samples. */
  public long getSum() {
    return sum;
  }

  /** Smallest sample (0 when empty). */
  public long getMin() {
    return min;
  }

  /** Largest sample (0 when empty). */
  public long getMax() {
    return max;
  }

  /** Mean (0.0 when empty). */
  public double getMean() {
    return mean;
  }

  /** Sample standard deviation, denominator count - 1 (0.0 below two samples). */
  public double getStdDev() {
    return stdDev;
  }

  /** Zero samples (below the log2 histogram's first bucket). */
  public long getOutliersLow() {
    return outliersLow;
  }

  /** Samples above the log2 histogram (always 0 for 64-bit samples). */
  public long getOutliersHigh() {
    return outliersHigh;
  }

  /** Median. */
  public long getP50() {
    return p50;
  }

  /** 90th percentile. */
  public long getP90() {
    return p90;
  }

  /** 99th percentile. */
  public long getP99() {
    return p99;
  }

  /** The latest sample. */
  public long getCurrent() {
    return current;
  }

  /** Creation or last reset, epoch milliseconds. */
  public long getLastResetMillis() {
    return lastResetMillis;
  }

  /** When the current maximum was first reached, epoch milliseconds. */
  public long getFirstPeakAtMillis() {
    return firstPeakAtMillis;
  }

  /** When the current maximum was last reached, epoch milliseconds. */
  public long getLastPeakAtMillis() {
    return lastPeakAtMillis;
  }

  /** Log2 histogram: element i counts samples in [2^i, 2^(i+1)), 63 elements. */
  public long[] getLog2Counts() {
    return log2Counts.clone();
  }
}
