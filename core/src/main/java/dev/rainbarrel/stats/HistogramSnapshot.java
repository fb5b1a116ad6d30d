package dev.rainbarrel.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An immutable in-heap copy of a {@link LogLinearHistogram}: exact count, sum, min and max, and the
 * bucket counts from which percentiles and the standard deviation are derived.
 *
 * <h2>Definitions</h2>
 * <ul>
 *   <li>{@link #count()}: total of all bucket counts. {@link #sum()}, {@link #min()}, {@link #max()}:
 *       exact (min and max are 0 when the count is 0). {@link #mean()} = sum / count (0.0 when empty).</li>
 *   <li>{@link #valueAtPercentile(double) valueAtPercentile(p)}, {@code 0 <= p <= 100}: let
 *       {@code rank = max(1, ceil(p / 100 * count))}; the result is the highest value of the first
 *       bucket whose cumulative count reaches {@code rank}, clamped to {@code [min, max]}; {@code p == 0}
 *       gives {@code min}, an empty histogram gives 0. If {@code x} is the exact percentile (the
 *       {@code rank}-th smallest recorded value), the result {@code r} satisfies
 *       {@code x <= r < x * (1 + 2^-k)}, {@code k} = {@link HistogramLayout#subBucketBits()}; values below
 *       {@code 2^(k+1)} are exact. A percentile that falls into the overflow bucket is reported as
 *       {@code max}.</li>
 *   <li>{@link #stddev()}: the sample standard deviation (denominator {@code count - 1}, 0.0 for fewer
 *       than two values), computed around the exact mean with each bucket represented by its midpoint
 *       (clamped to [min, max]); exact when all values lie below {@code 2^(k+1)}, otherwise an estimate
 *       whose per-value error is at most half a bucket width.</li>
 * </ul>
 */
public final class HistogramSnapshot {

    /** Receives one bucket: inclusive value bounds and its count. */
    @FunctionalInterface
    public interface BucketVisitor {
        /** Called for a bucket holding {@code count} values in {@code [lowerBound, upperBound]}. */
        void bucket(long lowerBound, long upperBound, long count);
    }

    /** One bucket of a snapshot: values in {@code [lowerBound, upperBound]} (both inclusive) and their count. */
    public static final class Bucket {
        private final long lowerBound;
        private final long upperBound;
        private final long count;

        Bucket(long lowerBound, long upperBound, long count) {
            this.lowerBound = lowerBound;
            this.upperBound = upperBound;
            this.count = count;
        }

        /** Smallest value the bucket holds. */
        public long lowerBound() {
            return lowerBound;
        }

        /** Largest value the bucket holds (Prometheus {@code le}); {@code Long.MAX_VALUE} for overflow. */
        public long upperBound() {
            return upperBound;
        }

        /** Number of values in the bucket. */
        public long count() {
            return count;
        }

        @Override
        public String toString() {
            return "[" + lowerBound + ", " + upperBound + "]=" + count;
        }
    }

    private final HistogramLayout layout;
    private final long[] counts;
    private final long count;
    private final long sum;
    private final long min;
    private final long max;

    private HistogramSnapshot(HistogramLayout layout, long[] counts, long count, long sum, long min, long max) {
        this.layout = layout;
        this.counts = counts;
        this.count = count;
        this.sum = sum;
        this.min = min;
        this.max = max;
    }

    /**
     * A snapshot from raw region values; tolerates the sentinels and races of a live region (an empty
     * or concurrently reset min/max is replaced by the bounds of the non-empty buckets).
     */
    static HistogramSnapshot fromRegion(HistogramLayout layout, long[] counts, long sum, long min, long max) {
        long count = 0;
        int first = -1;
        int last = -1;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                count += counts[i];
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        if (count == 0) {
            return new HistogramSnapshot(layout, counts, 0, 0, 0, 0);
        }
        long lowest = layout.lowerBound(first);
        long highest = layout.upperBound(last);
        if (min > max || min < 0 || min > highest) {
            min = lowest; // a reset raced with this read
        }
        if (max < min || max < lowest) {
            max = highest;
        }
        return new HistogramSnapshot(layout, counts, count, sum, min, max);
    }

    /**
     * A snapshot from bucket counts and exact statistics, e.g. decoded from elsewhere.
     *
     * @throws IllegalArgumentException if {@code counts} does not have {@code layout.bucketCount()}
     *     entries, any count is negative, or min/max contradict the buckets
     */
    public static HistogramSnapshot of(HistogramLayout layout, long[] counts, long sum, long min, long max) {
        if (counts.length != layout.bucketCount()) {
            throw new IllegalArgumentException("expected " + layout.bucketCount() + " bucket counts for " + layout
                    + ", got " + counts.length);
        }
        long total = 0;
        int first = -1;
        int last = -1;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("bucket " + i + " has negative count " + counts[i]);
            }
            if (counts[i] != 0) {
                total += counts[i];
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (total == 0) {
            return new HistogramSnapshot(layout, counts.clone(), 0, 0, 0, 0);
        }
        if (min < 0 || layout.indexOf(min) != first || layout.indexOf(max) != last || min > max) {
            throw new IllegalArgumentException("min " + min + " / max " + max
                    + " do not match the lowest/highest non-empty buckets " + first + "/" + last);
        }
        return new HistogramSnapshot(layout, counts.clone(), total, sum, min, max);
    }

    /** The bucket layout. */
    public HistogramLayout layout() {
        return layout;
    }

    /** Number of values. */
    public long count() {
        return count;
    }

    /** Exact sum of the values. */
    public long sum() {
        return sum;
    }

    /** Smallest value, 0 when empty. */
    public long min() {
        return min;
    }

    /** Largest value, 0 when empty. */
    public long max() {
        return max;
    }

    /** sum / count, 0.0 when empty. */
    public double mean() {
        return count == 0 ? 0.0 : (double) sum / count;
    }

    /** Sample standard deviation estimated from the buckets (see the class comment). */
    public double stddev() {
        if (count < 2) {
            return 0.0;
        }
        double mean = mean();
        double squares = 0.0;
        for (int i = 0; i < counts.length; i++) {
            long c = counts[i];
            if (c == 0) {
                continue;
            }
            double mid;
            if (i == layout.overflowIndex()) {
                mid = max;
            } else {
                long lo = layout.lowerBound(i);
                long hi = layout.upperBound(i);
                mid = Math.min(Math.max(lo + (hi - lo) / 2.0, min), max);
            }
            double d = mid - mean;
            squares += c * d * d;
        }
        return Math.sqrt(squares / (count - 1));
    }

    /**
     * The value at percentile {@code p} (see the class comment for the exact definition and error bound).
     *
     * @throws IllegalArgumentException if {@code p} is NaN or outside [0, 100]
     */
    public long valueAtPercentile(double p) {
        if (!(p >= 0.0 && p <= 100.0)) {
            throw new IllegalArgumentException("percentile " + p + " is outside [0, 100]");
        }
        if (count == 0) {
            return 0;
        }
        if (p == 0.0) {
            return min;
        }
        long rank = Math.max(1, Math.min(count, (long) Math.ceil(p / 100.0 * count)));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                long high = i == layout.overflowIndex() ? max : layout.upperBound(i);
                return Math.min(Math.max(high, min), max);
            }
        }
        return max; // unreachable: the buckets add up to count
    }

    /** {@code valueAtPercentile(50)}. */
    public long p50() {
        return valueAtPercentile(50);
    }

    /** {@code valueAtPercentile(90)}. */
    public long p90() {
        return valueAtPercentile(90);
    }

    /** {@code valueAtPercentile(99)}. */
    public long p99() {
        return valueAtPercentile(99);
    }

    /** Number of buckets (including the overflow bucket), whether empty or not. */
    public int bucketCount() {
        return counts.length;
    }

    /** Count of bucket {@code index}. */
    public long countAt(int index) {
        return counts[index];
    }

    /** Copy of all bucket counts, indexed as in {@link HistogramLayout}. */
    public long[] counts() {
        return counts.clone();
    }

    /** Visits the non-empty buckets in ascending value order. */
    public void forEachNonEmptyBucket(BucketVisitor visitor) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                visitor.bucket(layout.lowerBound(i), layout.upperBound(i), counts[i]);
            }
        }
    }

    /** The non-empty buckets in ascending value order. */
    public List<Bucket> nonEmptyBuckets() {
        List<Bucket> list = new ArrayList<>();
        forEachNonEmptyBucket((lo, hi, c) -> list.add(new Bucket(lo, hi, c)));
        return Collections.unmodifiableList(list);
    }

    /**
     * What was recorded between {@code older} and this snapshot of the same histogram: bucket counts and
     * sum are subtracted exactly; min and max of the interval are not stored anywhere, so they are the
     * bounds of the lowest and highest non-empty difference buckets, clamped to this snapshot's
     * [min, max] (exact for values below {@code 2^(k+1)}).
     *
     * <p>If any bucket of {@code older} holds more than this one, the histogram was reset in between
     * (as with a Prometheus counter reset) and this snapshot itself is returned.
     *
     * @throws IllegalArgumentException if the layouts differ
     */
    public HistogramSnapshot minus(HistogramSnapshot older) {
        if (!older.layout.equals(layout)) {
            throw new IllegalArgumentException("cannot subtract a snapshot with " + older.layout + " from one with " + layout);
        }
        long[] delta = new long[counts.length];
        int first = -1;
        int last = -1;
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            long d = counts[i] - older.counts[i];
            if (d < 0) {
                return this;
            }
            if (d != 0) {
                delta[i] = d;
                total += d;
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (total == 0) {
            return new HistogramSnapshot(layout, delta, 0, 0, 0, 0);
        }
        long lo = Math.max(min, layout.lowerBound(first));
        long hi = last == layout.overflowIndex() ? max : Math.min(max, layout.upperBound(last));
        return new HistogramSnapshot(layout, delta, total, sum - older.sum, lo, Math.max(lo, hi));
    }

    /**
     * The snapshot of the values of both histograms together: bucket counts and sums added, the
     * lower min and the higher max (an empty side contributes nothing). How the per-thread rows of
     * a shared histogram are read as one ({@code Barrel.histogramSnapshots()}).
     *
     * @throws IllegalArgumentException if the layouts differ
     */
    public HistogramSnapshot plus(HistogramSnapshot other) {
        if (!other.layout.equals(layout)) {
            throw new IllegalArgumentException("cannot add a snapshot with " + other.layout + " to one with " + layout);
        }
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        long[] total = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
            total[i] = counts[i] + other.counts[i];
        }
        return new HistogramSnapshot(layout, total, count + other.count, sum + other.sum,
                Math.min(min, other.min), Math.max(max, other.max));
    }

    @Override
    public String toString() {
        return "HistogramSnapshot[count=" + count + ", sum=" + sum + ", min=" + min + ", max=" + max
                + ", mean=" + mean() + ", p50=" + p50() + ", p90=" + p90() + ", p99=" + p99() + "]";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HistogramSnapshot)) {
            return false;
        }
        HistogramSnapshot s = (HistogramSnapshot) o;
        return layout.equals(s.layout) && count == s.count && sum == s.sum && min == s.min && max == s.max
                && Arrays.equals(counts, s.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts) * 31 + Long.hashCode(sum);
    }
}
