package dev.rainbarrel.stats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An immutable copy of a {@link SampleAggregate}: the numbers behind raindrops' Watcher headers
 * ({@code X-Count}, {@code X-Min}, {@code X-Max}, {@code X-Mean}, {@code X-Std-Dev},
 * {@code X-Outliers-Low}, {@code X-Outliers-High}, {@code X-Last-Reset}, {@code X-Current},
 * {@code X-First-Peak-At}, {@code X-Last-Peak-At}), the log2 histogram behind its page body
 * ({@link #toText()}), and percentiles. Times are epoch milliseconds. See {@link SampleAggregate} for
 * the definition of each statistic.
 */
public final class SampleSnapshot {

    /** One non-empty log2 bucket: {@code count} samples in {@code [value, 2 * value)}. */
    public static final class Log2Bucket {
        private final int index;
        private final long count;

        Log2Bucket(int index, long count) {
            this.index = index;
            this.count = count;
        }

        /** Bucket index {@code i}: the bucket holds {@code [2^i, 2^(i+1))}. */
        public int index() {
            return index;
        }

        /** {@code 2^index}, the value the aggregate gem prints for the bucket. */
        public long value() {
            return 1L << index;
        }

        /** Number of samples in the bucket. */
        public long count() {
            return count;
        }

        @Override
        public String toString() {
            return value() + "=" + count;
        }
    }

    private final long count;
    private final long sum;
    private final long min;
    private final long max;
    private final double stddev;
    private final long outliersLow;
    private final long outliersHigh;
    private final long current;
    private final long lastResetMillis;
    private final long firstPeakAtMillis;
    private final long lastPeakAtMillis;
    private final long[] log2;
    private final HistogramSnapshot distribution;

    SampleSnapshot(long count, long sum, long min, long max, double stddev, long outliersLow, long outliersHigh,
            long current, long lastResetMillis, long firstPeakAtMillis, long lastPeakAtMillis, long[] log2,
            HistogramSnapshot distribution) {
        this.count = count;
        this.sum = sum;
        this.min = min;
        this.max = max;
        this.stddev = stddev;
        this.outliersLow = outliersLow;
        this.outliersHigh = outliersHigh;
        this.current = current;
        this.lastResetMillis = lastResetMillis;
        this.firstPeakAtMillis = firstPeakAtMillis;
        this.lastPeakAtMillis = lastPeakAtMillis;
        this.log2 = log2;
        this.distribution = distribution;
    }

    /** Number of samples ({@code X-Count}). */
    public long count() {
        return count;
    }

    /** Sum of the samples. */
    public long sum() {
        return sum;
    }

    /** Smallest sample, 0 when empty ({@code X-Min}; raindrops prints an empty value then). */
    public long min() {
        return min;
    }

    /** Largest sample, 0 when empty ({@code X-Max}). */
    public long max() {
        return max;
    }

    /** sum / count, 0.0 when empty ({@code X-Mean}; raindrops prints NaN then). */
    public double mean() {
        return count == 0 ? 0.0 : (double) sum / count;
    }

    /** Sample standard deviation, 0.0 for fewer than two samples ({@code X-Std-Dev}; raindrops prints NaN then). */
    public double stddev() {
        return stddev;
    }

    /** Samples below 1, i.e. zeros ({@code X-Outliers-Low}). */
    public long outliersLow() {
        return outliersLow;
    }

    /** Samples {@code >= 2^127}: always 0 for 64-bit samples ({@code X-Outliers-High}). */
    public long outliersHigh() {
        return outliersHigh;
    }

    /** The most recent sample, 0 before the first ({@code X-Current}). */
    public long current() {
        return current;
    }

    /** Creation or last reset time ({@code X-Last-Reset}). */
    public long lastResetMillis() {
        return lastResetMillis;
    }

    /** When the current max was first reached ({@code X-First-Peak-At}). */
    public long firstPeakAtMillis() {
        return firstPeakAtMillis;
    }

    /** When the current max was last reached ({@code X-Last-Peak-At}). */
    public long lastPeakAtMillis() {
        return lastPeakAtMillis;
    }

    /** Count of log2 bucket {@code i} ({@code [2^i, 2^(i+1))}), {@code 0 <= i < 63}. */
    public long log2Count(int i) {
        return log2[i];
    }

    /** Copy of the log2 bucket counts, index {@code i} for {@code [2^i, 2^(i+1))}. */
    public long[] log2Counts() {
        return log2.clone();
    }

    /** Non-empty log2 buckets in ascending order (what the aggregate gem's {@code each_nonzero} yields). */
    public List<Log2Bucket> log2Buckets() {
        List<Log2Bucket> list = new ArrayList<>();
        for (int i = 0; i < log2.length; i++) {
            if (log2[i] != 0) {
                list.add(new Log2Bucket(i, log2[i]));
            }
        }
        return Collections.unmodifiableList(list);
    }

    /** The log-linear distribution of all samples (zeros included), for arbitrary percentiles. */
    public HistogramSnapshot distribution() {
        return distribution;
    }

    /** Median (see {@link HistogramSnapshot#valueAtPercentile}). */
    public long p50() {
        return distribution.p50();
    }

    /** 90th percentile. */
    public long p90() {
        return distribution.p90();
    }

    /** 99th percentile. */
    public long p99() {
        return distribution.p99();
    }

    /** The log2 histogram as raindrops' Watcher {@code .txt} body shows it, 80 columns wide. */
    public String toText() {
        return Log2HistogramText.render(log2, 80);
    }

    /**
     * The log2 histogram as raindrops' Watcher {@code .txt} body shows it, {@code columns} wide.
     *
     * @throws IllegalArgumentException if {@code columns < 80} (the gem refuses those too)
     */
    public String toText(int columns) {
        return Log2HistogramText.render(log2, columns);
    }

    @Override
    public String toString() {
        return "SampleSnapshot[count=" + count + ", min=" + min + ", max=" + max + ", mean=" + mean()
                + ", stddev=" + stddev + ", outliersLow=" + outliersLow + ", outliersHigh=" + outliersHigh
                + ", current=" + current + ", lastReset=" + lastResetMillis + ", firstPeakAt=" + firstPeakAtMillis
                + ", lastPeakAt=" + lastPeakAtMillis + ", p50=" + p50() + ", p90=" + p90() + ", p99=" + p99() + "]";
    }
}
