package dev.rainbarrel.stats;

/**
 * The bucket arithmetic of a log-linear histogram: which bucket a value falls into and which values a
 * bucket holds. Shared by the shared-memory {@link LogLinearHistogram} and its in-heap
 * {@link HistogramSnapshot}, and stored in the region header so a reader can rebuild it.
 *
 * <p>Two numbers describe a layout: {@code k} = {@link #subBucketBits()} and {@code m} =
 * {@link #maxValueBits()}. With {@code S = 2^k}:
 * <ul>
 *   <li>values {@code 0 .. 2S-1} each have their own bucket (exact);</li>
 *   <li>every further power-of-two range {@code [2^e, 2^(e+1))}, {@code k < e < m}, is split into
 *       {@code S} equal linear sub-buckets of width {@code 2^(e-k)};</li>
 *   <li>values {@code >= 2^m} go to one overflow bucket, the last one.</li>
 * </ul>
 * Bucket {@code i} therefore holds values whose width is below {@code 1/S} of its lower bound, so any
 * value reported as "the highest value of its bucket" overestimates the true value by less than a
 * relative {@link #relativeError()} {@code = 2^-k}.
 *
 * <p>The index of a non-negative value {@code v < 2^m} is computed without branches:
 * <pre>
 *   e     = 63 - numberOfLeadingZeros(v | S)   // floor(log2 v), at least k
 *   shift = e - k
 *   index = (shift &lt;&lt; k) + (v &gt;&gt;&gt; shift)
 * </pre>
 * There are {@code (m - k + 1) * S} regular buckets plus the overflow bucket.
 */
public final class HistogramLayout {

    /** Smallest accepted {@link #subBucketBits()} (50 % relative error). */
    public static final int MIN_SUB_BUCKET_BITS = 1;
    /** Largest accepted {@link #subBucketBits()} (0.1 % relative error, 1024 buckets per power of two). */
    public static final int MAX_SUB_BUCKET_BITS = 10;
    /** Largest accepted {@link #maxValueBits()}: values up to 2^62 - 1 are bucketed, larger ones overflow. */
    public static final int MAX_VALUE_BITS_LIMIT = 62;

    /**
     * The layout rainbarrel uses unless told otherwise: 32 sub-buckets per power of two (relative error
     * below 3.125 %) and values up to 2^40 - 1 (12.7 days in µs, 34 years in ms) before the overflow
     * bucket; 1153 buckets, a 9352-byte region.
     */
    public static final HistogramLayout DEFAULT = of(5, 40);

    private final int subBucketBits;
    private final int maxValueBits;
    private final int subBucketCount;
    private final int bucketCount;

    private HistogramLayout(int subBucketBits, int maxValueBits) {
        this.subBucketBits = subBucketBits;
        this.maxValueBits = maxValueBits;
        this.subBucketCount = 1 << subBucketBits;
        this.bucketCount = (maxValueBits - subBucketBits + 1) * subBucketCount + 1;
    }

    /**
     * A layout with {@code 2^subBucketBits} linear sub-buckets per power of two, covering values below
     * {@code 2^maxValueBits} (larger values are counted in the overflow bucket).
     *
     * @throws IllegalArgumentException if {@code subBucketBits} is outside
     *     [{@value #MIN_SUB_BUCKET_BITS}, {@value #MAX_SUB_BUCKET_BITS}] or {@code maxValueBits} outside
     *     [{@code subBucketBits + 1}, {@value #MAX_VALUE_BITS_LIMIT}]
     */
    public static HistogramLayout of(int subBucketBits, int maxValueBits) {
        if (subBucketBits < MIN_SUB_BUCKET_BITS || subBucketBits > MAX_SUB_BUCKET_BITS) {
            throw new IllegalArgumentException("subBucketBits " + subBucketBits + " is outside ["
                    + MIN_SUB_BUCKET_BITS + ", " + MAX_SUB_BUCKET_BITS + "]");
        }
        if (maxValueBits <= subBucketBits || maxValueBits > MAX_VALUE_BITS_LIMIT) {
            throw new IllegalArgumentException("maxValueBits " + maxValueBits + " is outside ["
                    + (subBucketBits + 1) + ", " + MAX_VALUE_BITS_LIMIT + "] for subBucketBits " + subBucketBits);
        }
        return new HistogramLayout(subBucketBits, maxValueBits);
    }

    /** {@code k}: each power of two above {@code 2^(k+1)} is split into {@code 2^k} sub-buckets. */
    public int subBucketBits() {
        return subBucketBits;
    }

    /** {@code m}: values {@code >= 2^m} are counted in the overflow bucket. */
    public int maxValueBits() {
        return maxValueBits;
    }

    /** Number of buckets including the overflow bucket, which is the last one. */
    public int bucketCount() {
        return bucketCount;
    }

    /** Index of the overflow bucket ({@code bucketCount() - 1}). */
    public int overflowIndex() {
        return bucketCount - 1;
    }

    /** Smallest value that overflows: {@code 2^maxValueBits}. */
    public long overflowThreshold() {
        return 1L << maxValueBits;
    }

    /** Bound on the relative overestimate of a bucket's highest value: {@code 2^-subBucketBits}. */
    public double relativeError() {
        return 1.0 / subBucketCount;
    }

    /**
     * Bucket index of a value; negative values count as 0.
     */
    public int indexOf(long value) {
        long v = value & ~(value >> 63); // clamp negatives to 0 without a branch
        if ((v >>> maxValueBits) != 0) {
            return bucketCount - 1;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v | subBucketCount) - subBucketBits;
        return (shift << subBucketBits) + (int) (v >>> shift);
    }

    /** Smallest value counted in bucket {@code index}. */
    public long lowerBound(int index) {
        checkIndex(index);
        if (index == bucketCount - 1) {
            return 1L << maxValueBits;
        }
        int shift = Math.max(0, (index >> subBucketBits) - 1);
        long mantissa = index - ((long) shift << subBucketBits);
        return mantissa << shift;
    }

    /** Largest value counted in bucket {@code index} (inclusive; {@code Long.MAX_VALUE} for overflow). */
    public long upperBound(int index) {
        checkIndex(index);
        if (index == bucketCount - 1) {
            return Long.MAX_VALUE;
        }
        int shift = Math.max(0, (index >> subBucketBits) - 1);
        return lowerBound(index) + (1L << shift) - 1;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= bucketCount) {
            throw new IndexOutOfBoundsException("bucket index " + index + " outside [0, " + bucketCount + ")");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HistogramLayout
                && ((HistogramLayout) o).subBucketBits == subBucketBits
                && ((HistogramLayout) o).maxValueBits == maxValueBits;
    }

    @Override
    public int hashCode() {
        return subBucketBits * 64 + maxValueBits;
    }

    @Override
    public String toString() {
        return "HistogramLayout[subBucketBits=" + subBucketBits + ", maxValueBits=" + maxValueBits
                + ", buckets=" + bucketCount + "]";
    }
}
