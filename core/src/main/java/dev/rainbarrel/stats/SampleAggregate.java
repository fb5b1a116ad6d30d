package dev.rainbarrel.stats;

/**
 * Running statistics of one sampled series, such as a listener's {@code active} or {@code queued}
 * connection counts taken once per watcher interval: what raindrops' {@code Raindrops::Watcher} keeps
 * per address with an {@code Aggregate} plus its peak times, and percentiles on top.
 *
 * <p>One thread adds samples (the watcher); any thread may call {@link #snapshot()}, which copies the
 * state under the same lock the writer takes, so a snapshot is always internally consistent. At one
 * sample per second the lock is uncontended.
 *
 * <h2>Definitions (see {@link SampleSnapshot} for the full list)</h2>
 * <ul>
 *   <li>count, sum, min, max, mean = sum / count (all 0 when empty);</li>
 *   <li>standard deviation: sample standard deviation, {@code sqrt(sum((x - mean)^2) / (count - 1))}
 *       as the aggregate gem defines it (computed with Welford's update instead of the gem's
 *       sum-of-squares formula, so it cannot go negative); 0.0 for fewer than two samples, where the
 *       gem yields NaN;</li>
 *   <li>outliers: the gem's default histogram holds values in {@code [1, 2^127)}; samples below 1
 *       (i.e. zeros) are low outliers and are not in the log2 histogram; high outliers would need
 *       {@code >= 2^127}, so for 64-bit samples they are always 0;</li>
 *   <li>log2 histogram: bucket {@code i} counts samples in {@code [2^i, 2^(i+1))}, computed exactly
 *       (the gem's floating-point {@code log(x)/log(2)} misplaces some values {@code >= 2^48 - 1});</li>
 *   <li>p50/p90/p99: from a {@link HistogramLayout#DEFAULT} log-linear histogram of all samples
 *       (exact below 64, within 3.125 % above);</li>
 *   <li>current: the most recent sample (kept across {@link #reset}, 0 before the first sample);</li>
 *   <li>last reset: creation time or time of the last {@link #reset};</li>
 *   <li>peaks, following raindrops' Watcher: when a sample {@code > 0} is greater than the max so far,
 *       first-peak-at and last-peak-at both become the sample's time; when a sample {@code > 0} equals
 *       the max, only last-peak-at moves; zero samples never move them. Both start at the creation /
 *       reset time. Two deliberate differences from raindrops: the first sample after creation or reset
 *       counts as a new maximum if it is {@code > 0} (raindrops skips it because its max is still nil,
 *       leaving the start time), and {@link #reset} also resets the peak times (raindrops keeps the old
 *       ones, which then describe a max that no longer exists).</li>
 * </ul>
 */
public final class SampleAggregate {

    /** Number of log2 buckets of the aggregate gem's default histogram ({@code 2^0 .. 2^127}). */
    public static final int GEM_LOG2_BUCKETS = 128;
    /** Log2 buckets a non-negative {@code long} can reach: {@code [2^0, 2^1)} .. {@code [2^62, 2^63)}. */
    public static final int LOG2_BUCKETS = 63;

    private static final HistogramLayout LAYOUT = HistogramLayout.DEFAULT;

    private final Object lock = new Object();
    private final long[] log2 = new long[LOG2_BUCKETS];
    private final long[] distribution = new long[LAYOUT.bucketCount()];
    private long count;
    private long sum;
    private long min;
    private long max;
    private double runningMean;
    private double squaredDeviations;
    private long outliersLow;
    private long current;
    private long lastResetMillis;
    private long firstPeakAtMillis;
    private long lastPeakAtMillis;

    /** An empty aggregate created now (wall clock). */
    public SampleAggregate() {
        this(System.currentTimeMillis());
    }

    /** An empty aggregate created at {@code createdAtMillis} (epoch milliseconds). */
    public SampleAggregate(long createdAtMillis) {
        clear(createdAtMillis);
    }

    /** Adds a sample taken now (wall clock). */
    public void add(long sample) {
        add(sample, System.currentTimeMillis());
    }

    /**
     * Adds a sample taken at {@code epochMillis}.
     *
     * @throws IllegalArgumentException if {@code sample} is negative (counts of connections cannot be)
     */
    public void add(long sample, long epochMillis) {
        if (sample < 0) {
            throw new IllegalArgumentException("sample " + sample + " is negative");
        }
        synchronized (lock) {
            if (sample > 0 && (count == 0 || sample >= max)) {
                if (count == 0 || sample > max) {
                    firstPeakAtMillis = epochMillis;
                }
                lastPeakAtMillis = epochMillis;
            }
            if (count == 0) {
                min = sample;
                max = sample;
            } else {
                min = Math.min(min, sample);
                max = Math.max(max, sample);
            }
            count++;
            sum += sample;
            double delta = sample - runningMean;
            runningMean += delta / count;
            squaredDeviations += delta * (sample - runningMean);
            if (sample == 0) {
                outliersLow++;
            } else {
                log2[63 - Long.numberOfLeadingZeros(sample)]++;
            }
            distribution[LAYOUT.indexOf(sample)]++;
            current = sample;
        }
    }

    /** Forgets all samples (keeping {@code current}) as of now (wall clock). */
    public void reset() {
        reset(System.currentTimeMillis());
    }

    /** Forgets all samples (keeping {@code current}); last reset and both peak times become {@code epochMillis}. */
    public void reset(long epochMillis) {
        synchronized (lock) {
            clear(epochMillis);
        }
    }

    private void clear(long epochMillis) {
        java.util.Arrays.fill(log2, 0);
        java.util.Arrays.fill(distribution, 0);
        count = 0;
        sum = 0;
        min = 0;
        max = 0;
        runningMean = 0.0;
        squaredDeviations = 0.0;
        outliersLow = 0;
        lastResetMillis = epochMillis;
        firstPeakAtMillis = epochMillis;
        lastPeakAtMillis = epochMillis;
    }

    /** Number of samples since creation or reset. */
    public long count() {
        synchronized (lock) {
            return count;
        }
    }

    /** An immutable, consistent copy of all statistics. */
    public SampleSnapshot snapshot() {
        synchronized (lock) {
            double stddev = count < 2 ? 0.0 : Math.sqrt(squaredDeviations / (count - 1));
            HistogramSnapshot dist = HistogramSnapshot.of(LAYOUT, distribution, sum, min, max);
            return new SampleSnapshot(count, sum, min, max, stddev, outliersLow, 0L, current,
                    lastResetMillis, firstPeakAtMillis, lastPeakAtMillis, log2.clone(), dist);
        }
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
