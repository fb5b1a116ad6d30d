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
    HistogramSnapshot s = snap();
    return s == null ? 0 : s.count();
  }

  @Override
  public long getSum() {
    HistogramSnapshot s = snap();
    return s == null ? 0 : s.sum();
  }

  @Override
  public long getMin() {
    HistogramSnapshot s = snap();
    return s == null ? 0 : s.min();
  }

  @Override
  public long getMax() {
    HistogramSnapshot s = snap();
    return s == null ? 0 : s.max();
  }

  @Override
  public double getMean() {
    HistogramSnapshot s = snap();
    return s == null ? 0 : s.mean();
  }

  @Override
  public double getStdDev() {
    HistogramSnapshot s = snap();
    return s == null ? 0 : s.stddev();
  }

  @Override
  public long getP50() {
    HistogramSnapshot s = snap();
    return s == null ? 0 : s.p50();
  }

  @Override
  public long getP90() {
    HistogramSnapshot s = snap();
    return s == null ? 0 : s.p90();
  }

  @Override
  public long getP99() {
    HistogramSnapshot s = snap();
    return s == null ? 0 : s.p99();
  }

  @Override
  public long getP999() {
    HistogramSnapshot s = snap();
    return s == null ? 0 : s.valueAtPercentile(99.9);
  }

  @Override
  public long[] getBucketUpperBounds() {
    HistogramSnapshot s = snap();
    if (s == null) {
      return new long[0];
    }
    List<HistogramSnapshot.Bucket> b = s.nonEmptyBuckets();
    long[] out = new long[b.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(i).upperBound();
    }
    return out;
  }

  @Override
  public long[] getBucketCounts() {
    HistogramSnapshot s = snap();
    if (s == null) {
      return new long[0];
    }
    List<HistogramSnapshot.Bucket> b = s.nonEmptyBuckets();
    long[] out = new long[b.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(i).count();
    }
    return out;
  }
}
