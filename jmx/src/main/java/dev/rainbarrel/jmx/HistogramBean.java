package dev.rainbarrel.jmx;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.stats.HistogramSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** {@link HistogramMXBean} over a named histogram of a Barrel (never creates it). */
final class HistogramBean implements HistogramMXBean {
  private final Barrel barrel;
  private final String name;
  private final String unit;

  HistogramBean(Barrel barrel, String name, String unit) {
    this.barrel = barrel;
    this.name = name;
    this.unit = unit;
  }

  private HistogramSnapshot snap() {
    try {
      return barrel.histogramSnapshots().get(name);
    } catch (IOException e) {
      throw new UncheckedIOException(barrel.path() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String getUnit() {
    return unit;
  }

  @Override
  public boolean isPresent() {
    return snap() != null;
  }

  @Override
  public long getCount() {
    return ofLong(HistogramSnapshot::count);
  }

  @Override
  public long getSum() {
    return ofLong(HistogramSnapshot::sum);
  }

  @Override
  public long getMin() {
    return ofLong(HistogramSnapshot::min);
  }

  @Override
  public long getMax() {
    return ofLong(HistogramSnapshot::max);
  }

  @Override
  public double getMean() {
    return ofDouble(HistogramSnapshot::mean);
  }

  @Override
  public double getStdDev() {
    return ofDouble(HistogramSnapshot::stddev);
  }

  @Override
  public long getP50() {
    return ofLong(HistogramSnapshot::p50);
  }

  @Override
  public long getP90() {
    return ofLong(HistogramSnapshot::p90);
  }

  @Override
  public long getP99() {
    return ofLong(HistogramSnapshot::p99);
  }

  @Override
  public long getP999() {
    return ofLong(s -> s.valueAtPercentile(99.9));
  }

  @Override
  public long[] getBucketUpperBounds() {
    return ofBuckets(HistogramSnapshot.Bucket::upperBound);
  }

  @Override
  public long[] getBucketCounts() {
    return ofBuckets(HistogramSnapshot.Bucket::count);
  }

  /** A figure of the current snapshot; 0 while the histogram does not exist yet. */
  private long ofLong(java.util.function.ToLongFunction<HistogramSnapshot> f) {
    HistogramSnapshot s = snap();
    return s == null ? 0 : f.applyAsLong(s);
  }

  private double ofDouble(java.util.function.ToDoubleFunction<HistogramSnapshot> f) {
    HistogramSnapshot s = snap();
    return s == null ? 0 : f.applyAsDouble(s);
  }

  /** One figure per non-empty bucket; empty while the histogram does not exist yet. */
  private long[] ofBuckets(java.util.function.ToLongFunction<HistogramSnapshot.Bucket> f) {
    HistogramSnapshot s = snap();
    if (s == null) {
      return new long[0];
    }
    List<HistogramSnapshot.Bucket> b = s.nonEmptyBuckets();
    long[] out = new long[b.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsLong(b.get(i));
    }
    return out;
  }
}
