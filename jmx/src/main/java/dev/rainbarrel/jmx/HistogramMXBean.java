package dev.rainbarrel.jmx;

/** {@code rainbarrel:type=Histogram,name=<name>}: a shared-file histogram. */
@Description("A log-linear histogram in the shared file (all processes record into it); "
    + "percentiles at most 3.125% high, exact below 64")
public interface HistogramMXBean {

  /** Name. */
  @Description("Histogram name (request_duration, accept_wait, ...)")
  String getName();

  /** Unit. */
  @Description("Unit of the recorded values (us for request_duration, ms for accept_wait)")
  String getUnit();

  /** Present. */
  @Description("False until some process creates the histogram in the file (values then read 0)")
  boolean isPresent();

  /** count. */
  @Description("Values recorded")
  long getCount();

  /** sum. */
  @Description("Sum of the values")
  long getSum();

  /** min. */
  @Description("Smallest value (0 when empty)")
  long getMin();

  /** max. */
  @Description("Largest value (0 when empty)")
  long getMax();

  /** mean. */
  @Description("Mean value (0.0 when empty)")
  double getMean();

  /** stddev. */
  @Description("Sample standard deviation (denominator count - 1), from bucket midpoints")
  double getStdDev();

  /** p50. */
  @Description("Median")
  long getP50();

  /** p90. */
  @Description("90th percentile")
  long getP90();

  /** p99. */
  @Description("99th percentile")
  long getP99();

  /** p99.9. */
  @Description("99.9th percentile")
  long getP999();

  /** Bucket bounds. */
  @Description("Inclusive upper bounds of the non-empty buckets, ascending (Prometheus 'le')")
  long[] getBucketUpperBounds();

  /** Bucket counts. */
  @Description("Counts of the non-empty buckets, matching BucketUpperBounds")
  long[] getBucketCounts();
}
