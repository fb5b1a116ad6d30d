package dev.rainbarrel.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LogLinearHistogramTest {

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size);
    }

    private static LogLinearHistogram fresh(HistogramLayout layout) {
        return LogLinearHistogram.format(direct(LogLinearHistogram.regionLength(layout) + 64), 64, layout);
    }

    /** The exact percentile with the same rank definition the snapshot documents. */
    private static long exactPercentile(long[] sorted, double p) {
        if (p == 0.0) {
            return sorted[0];
        }
        long rank = Math.max(1, Math.min(sorted.length, (long) Math.ceil(p / 100.0 * sorted.length)));
        return sorted[(int) rank - 1];
    }

    @Test
    void countSumMinMaxAreExactAndSmallValuesGiveExactStatistics() {
        LogLinearHistogram h = fresh(HistogramLayout.DEFAULT);
        long[] values = {5, 0, 12, 7, 7, 3, 63};
        for (long v : values) {
            h.record(v);
        }
        HistogramSnapshot s = h.snapshot();
        assertEquals(7, s.count());
        assertEquals(7, h.count());
        assertEquals(97, s.sum());
        assertEquals(97, h.sum());
        assertEquals(0, s.min());
        assertEquals(63, s.max());
        assertEquals(97.0 / 7, s.mean(), 1e-12);
        // sample stddev by hand: mean 97/7; sum of squares 25+0+144+49+49+9+3969 = 4245
        double expected = Math.sqrt((4245 - 97.0 * 97.0 / 7) / 6);
        assertEquals(expected, s.stddev(), 1e-9);
        // sorted 0 3 5 7 7 12 63: ranks ceil(3.5)=4 -> 7, ceil(6.3)=7 -> 63, ceil(6.93)=7 -> 63
        assertEquals(7, s.p50());
        assertEquals(63, s.p90());
        assertEquals(63, s.p99());
        assertEquals(0, s.valueAtPercentile(0));
        assertEquals(63, s.valueAtPercentile(100));
        assertEquals(3, s.valueAtPercentile(28)); // rank ceil(1.96) = 2
    }

    @Test
    void emptyHistogramReportsZeros() {
        HistogramSnapshot s = fresh(HistogramLayout.DEFAULT).snapshot();
        assertEquals(0, s.count());
        assertEquals(0, s.min());
        assertEquals(0, s.max());
        assertEquals(0.0, s.mean());
        assertEquals(0.0, s.stddev());
        assertEquals(0, s.p99());
        assertTrue(s.nonEmptyBuckets().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> s.valueAtPercentile(100.5));
        assertThrows(IllegalArgumentException.class, () -> s.valueAtPercentile(Double.NaN));
    }

    @Test
    void percentilesStayWithinTheDocumentedRelativeErrorOfExactPercentiles() {
        Random random = new Random(20261122L);
        for (int k : new int[] {3, 5}) {
            HistogramLayout layout = HistogramLayout.of(k, 40);
            for (int round = 0; round < 3; round++) {
                LogLinearHistogram h = fresh(layout);
                long[] values = new long[20_000 + round * 7_001];
                for (int i = 0; i < values.length; i++) {
                    switch (round) {
                        case 0: values[i] = random.nextInt(1_000_000); break; // uniform
                        case 1: values[i] = (long) Math.exp(random.nextDouble() * Math.log(1L << 39)); break; // log-uniform
                        default: values[i] = (long) Math.abs(random.nextGaussian() * 5_000) + 200; break; // latency-like
                    }
                    h.record(values[i]);
                }
                long[] sorted = values.clone();
                Arrays.sort(sorted);
                HistogramSnapshot s = h.snapshot();
                assertEquals(values.length, s.count());
                assertEquals(Arrays.stream(values).sum(), s.sum());
                assertEquals(sorted[0], s.min());
                assertEquals(sorted[sorted.length - 1], s.max());
                for (double p : new double[] {0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100}) {
                    long exact = exactPercentile(sorted, p);
                    long reported = s.valueAtPercentile(p);
                    String what = "k=" + k + " round " + round + " p" + p + ": exact " + exact + " reported " + reported;
                    assertTrue(reported >= exact, what);
                    assertTrue(exact < 2L << k ? reported == exact : reported < exact * (1 + layout.relativeError()), what);
                }
                // the bucket-based sample stddev agrees with the exact one to within the bucket resolution
                double mean = s.mean();
                double squares = 0;
                for (long v : values) {
                    squares += (v - mean) * (v - mean);
                }
                double exactStddev = Math.sqrt(squares / (values.length - 1));
                assertEquals(exactStddev, s.stddev(), exactStddev * layout.relativeError() + 1e-9,
                        "k=" + k + " round " + round);
            }
        }
    }

    @Test
    void negativeValuesCountAsZeroAndHugeValuesOverflow() {
        HistogramLayout layout = HistogramLayout.DEFAULT;
        LogLinearHistogram h = fresh(layout);
        h.record(-42);
        h.record(10);
        long huge = (1L << 40) + 12345;
        h.record(huge);
        HistogramSnapshot s = h.snapshot();
        assertEquals(3, s.count());
        assertEquals(0, s.min());
        assertEquals(huge, s.max());
        assertEquals(10 + huge, s.sum());
        assertEquals(1, s.countAt(layout.overflowIndex()));
        assertEquals(1, s.countAt(0));
        assertEquals(huge, s.valueAtPercentile(100));
        assertEquals(huge, s.p99(), "a percentile in the overflow bucket is reported as the max");
        List<HistogramSnapshot.Bucket> buckets = s.nonEmptyBuckets();
        assertEquals(3, buckets.size());
        assertEquals(1L << 40, buckets.get(2).lowerBound());
        assertEquals(Long.MAX_VALUE, buckets.get(2).upperBound());
    }

    @Test
    void bucketIterationGivesInclusiveBoundsForPrometheusLe() {
        HistogramLayout layout = HistogramLayout.of(3, 20);
        LogLinearHistogram h = fresh(layout);
        h.record(100); // [2^6, 2^7) split in 8: width 8 -> [96, 103]
        h.record(103);
        h.record(104); // [104, 111]
        h.record(1);
        List<long[]> seen = new ArrayList<>();
        h.snapshot().forEachNonEmptyBucket((lo, hi, c) -> seen.add(new long[] {lo, hi, c}));
        assertEquals(3, seen.size());
        assertArrayEquals(new long[] {1, 1, 1}, seen.get(0));
        assertArrayEquals(new long[] {96, 103, 2}, seen.get(1));
        assertArrayEquals(new long[] {104, 111, 1}, seen.get(2));
        // highest-equivalent value, clamped to max: p50 -> rank 2 -> bucket [96,103] -> 103
        assertEquals(103, h.snapshot().p50());
        assertEquals(104, h.snapshot().valueAtPercentile(100), "clamped to the exact max");
    }

    @Test
    void minusGivesTheIntervalAndDetectsResets() {
        LogLinearHistogram h = fresh(HistogramLayout.DEFAULT);
        for (long v : new long[] {1, 2, 3, 1000}) {
            h.record(v);
        }
        HistogramSnapshot older = h.snapshot();
        for (long v : new long[] {5, 6, 40}) {
            h.record(v);
        }
        HistogramSnapshot newer = h.snapshot();
        HistogramSnapshot delta = newer.minus(older);
        assertEquals(3, delta.count());
        assertEquals(51, delta.sum());
        assertEquals(5, delta.min());
        assertEquals(40, delta.max());
        assertEquals(6, delta.p50());
        LogLinearHistogram only = fresh(HistogramLayout.DEFAULT);
        for (long v : new long[] {5, 6, 40}) {
            only.record(v);
        }
        assertArrayEquals(only.snapshot().counts(), delta.counts());
        assertEquals(0, newer.minus(newer).count());

        h.reset();
        h.record(7);
        HistogramSnapshot afterReset = h.snapshot();
        assertSame(afterReset, afterReset.minus(newer), "a reset in between yields the newer snapshot itself");

        HistogramSnapshot otherLayout = fresh(HistogramLayout.of(3, 40)).snapshot();
        assertThrows(IllegalArgumentException.class, () -> newer.minus(otherLayout));
    }

    @Test
    void minusBoundsTheIntervalMinAndMaxByBuckets() {
        LogLinearHistogram h = fresh(HistogramLayout.DEFAULT);
        h.record(10);
        HistogramSnapshot older = h.snapshot();
        h.record(1000); // bucket [992, 1007]
        h.record(5000); // bucket [4992, 5119]
        HistogramSnapshot delta = h.snapshot().minus(older);
        assertEquals(992, delta.min());
        assertEquals(5000, delta.max(), "upper bound clamped to the newer snapshot's exact max");
    }

    @Test
    void resetEmptiesEverything() {
        LogLinearHistogram h = fresh(HistogramLayout.DEFAULT);
        h.record(9);
        h.record(99);
        h.reset();
        assertEquals(0, h.count());
        assertEquals(0, h.snapshot().count());
        assertEquals(0, h.snapshot().sum());
        h.record(4);
        assertEquals(4, h.snapshot().min());
        assertEquals(4, h.snapshot().max());
    }

    @Test
    void headerIsSelfDescribingLittleEndian() {
        HistogramLayout layout = HistogramLayout.of(4, 30);
        ByteBuffer buffer = direct(LogLinearHistogram.regionLength(layout) + 256);
        LogLinearHistogram h = LogLinearHistogram.format(buffer, 128, layout);
        h.record(17);
        ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        le.get(128, magic, 0, 8);
        assertEquals("RBHISTLL", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(LogLinearHistogram.LAYOUT_VERSION, le.getInt(128 + 8));
        assertEquals(4, le.getInt(128 + 12));
        assertEquals(30, le.getInt(128 + 16));
        assertEquals(layout.bucketCount(), le.getInt(128 + 20));
        assertEquals(LogLinearHistogram.regionLength(layout), le.getLong(128 + 24));
        assertEquals(128, le.getInt(128 + 32));
        assertEquals(1, le.getLong(128 + 64), "count");
        assertEquals(17, le.getLong(128 + 72), "sum");
        assertEquals(17, le.getLong(128 + 80), "min");
        assertEquals(17, le.getLong(128 + 88), "max");
        assertEquals(1, le.getLong(128 + 128 + 8 * layout.indexOf(17)), "bucket");

        LogLinearHistogram reader = LogLinearHistogram.wrap(buffer.duplicate(), 128);
        assertEquals(layout, reader.layout());
        assertEquals(h.snapshot(), reader.snapshot());
    }

    @Test
    void readOnlyBuffersCanBeReadButNotWritten() {
        ByteBuffer buffer = direct(LogLinearHistogram.regionLength(HistogramLayout.DEFAULT));
        LogLinearHistogram.format(buffer, 0, HistogramLayout.DEFAULT).record(3);
        LogLinearHistogram reader = LogLinearHistogram.wrap(buffer.asReadOnlyBuffer(), 0);
        assertEquals(1, reader.snapshot().count());
        assertThrows(ReadOnlyBufferException.class, () -> reader.record(1));
        assertThrows(IllegalArgumentException.class,
                () -> LogLinearHistogram.format(buffer.asReadOnlyBuffer(), 0, HistogramLayout.DEFAULT));
    }

    @Test
    void wrapRejectsCorruptRegionsWithClearMessages() {
        HistogramLayout layout = HistogramLayout.DEFAULT;
        int length = LogLinearHistogram.regionLength(layout);

        assertMessage("direct or mapped", () -> LogLinearHistogram.wrap(ByteBuffer.allocate(length), 0));
        assertMessage("direct or mapped", () -> LogLinearHistogram.format(ByteBuffer.allocate(length), 0, layout));
        assertMessage("offset 4 is not", () -> LogLinearHistogram.wrap(direct(length + 8), 4));
        assertMessage("offset -8", () -> LogLinearHistogram.wrap(direct(length), -8));
        assertMessage("needs " + length + " bytes", () -> LogLinearHistogram.format(direct(length - 8), 0, layout));
        assertMessage("bad magic 0x0000000000000000", () -> LogLinearHistogram.wrap(direct(length), 0));

        ByteBuffer garbage = direct(length);
        garbage.duplicate().order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0x1122334455667788L);
        assertMessage("bad magic 0x1122334455667788", () -> LogLinearHistogram.wrap(garbage, 0));

        assertMessage("layout version 7", () -> LogLinearHistogram.wrap(corrupt(layout, 8, 7), 0));
        assertMessage("invalid layout: subBucketBits 0", () -> LogLinearHistogram.wrap(corrupt(layout, 12, 0), 0));
        assertMessage("invalid layout: maxValueBits 99", () -> LogLinearHistogram.wrap(corrupt(layout, 16, 99), 0));
        assertMessage("says 1000 buckets", () -> LogLinearHistogram.wrap(corrupt(layout, 20, 1000), 0));
        assertMessage("buckets at 64", () -> LogLinearHistogram.wrap(corrupt(layout, 32, 64), 0));
        ByteBuffer badLength = fresh(layout, 0);
        badLength.duplicate().order(ByteOrder.LITTLE_ENDIAN).putLong(24, 123);
        assertMessage("says length 123", () -> LogLinearHistogram.wrap(badLength, 0));

        ByteBuffer whole = fresh(layout, 0);
        ByteBuffer truncated = whole.slice(0, length - 8);
        assertMessage("extends beyond the buffer's capacity " + (length - 8), () -> LogLinearHistogram.wrap(truncated, 0));
        assertMessage("needs 64 bytes", () -> LogLinearHistogram.wrap(whole.slice(0, 32), 0));

        assertMessage("beyond the " + (length - 8) + " bytes available",
                () -> LogLinearHistogram.wrap(whole, 0, length - 8));
        assertEquals(layout, LogLinearHistogram.wrap(whole, 0, length).layout());

        // none of the failed wraps changed the valid region
        assertEquals(layout, LogLinearHistogram.wrap(whole, 0).layout());
    }

    private static ByteBuffer fresh(HistogramLayout layout, int offset) {
        ByteBuffer b = direct(offset + LogLinearHistogram.regionLength(layout));
        LogLinearHistogram.format(b, offset, layout);
        return b;
    }

    private static ByteBuffer corrupt(HistogramLayout layout, int at, int value) {
        ByteBuffer b = fresh(layout, 0);
        b.duplicate().order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return b;
    }

    private static void assertMessage(String expectedPart, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expectedPart), "message \"" + e.getMessage() + "\" lacks \"" + expectedPart + "\"");
    }

    @Test
    void allocateGivesAPrivateAlignedRegion() {
        LogLinearHistogram h = LogLinearHistogram.allocate(HistogramLayout.of(4, 20));
        h.record(1);
        h.record(1L << 30); // overflows this small layout
        HistogramSnapshot s = h.snapshot();
        assertEquals(2, s.count());
        assertEquals(1L << 30, s.max());
        assertEquals(1, s.countAt(s.layout().overflowIndex()));
        assertEquals(HistogramLayout.of(4, 20), h.layout());
        assertEquals(LogLinearHistogram.regionLength(h.layout()), h.length());
    }

    @Test
    void snapshotOfARegionCaughtMidResetFallsBackToBucketBounds() {
        HistogramLayout layout = HistogramLayout.DEFAULT;
        long[] counts = new long[layout.bucketCount()];
        counts[layout.indexOf(5)] = 1;
        counts[layout.indexOf(1000)] = 2;
        // min/max already back at their empty sentinels while buckets still hold values
        HistogramSnapshot s = HistogramSnapshot.fromRegion(layout, counts, 2005, Long.MAX_VALUE, Long.MIN_VALUE);
        assertEquals(3, s.count());
        assertEquals(5, s.min());
        assertEquals(layout.upperBound(layout.indexOf(1000)), s.max());
        assertTrue(s.p99() <= s.max() && s.p50() >= s.min());
    }

    @Test
    void snapshotFactoryValidatesItsInput() {
        HistogramLayout layout = HistogramLayout.of(3, 10);
        long[] counts = new long[layout.bucketCount()];
        counts[layout.indexOf(7)] = 2;
        HistogramSnapshot ok = HistogramSnapshot.of(layout, counts, 14, 7, 7);
        assertEquals(7, ok.p50());
        assertMessage("expected " + layout.bucketCount(), () -> HistogramSnapshot.of(layout, new long[3], 0, 0, 0));
        assertMessage("min 3 / max 7", () -> HistogramSnapshot.of(layout, counts, 14, 3, 7));
        long[] negative = counts.clone();
        negative[1] = -1;
        assertMessage("bucket 1 has negative count -1", () -> HistogramSnapshot.of(layout, negative, 14, 7, 7));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoThreadsRecordingAMillionEachLoseNothing() throws Exception {
        LogLinearHistogram h = fresh(HistogramLayout.DEFAULT);
        int perThread = 1_000_000;
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    h.record(i % 5000 + id * 100_000);
                }
            }, "recorder-" + t);
            threads[t].start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(100));
            assertTrue(!t.isAlive(), t.getName() + " did not finish");
        }
        long oneThreadBase = 0;
        for (int i = 0; i < perThread; i++) {
            oneThreadBase += i % 5000;
        }
        HistogramSnapshot s = h.snapshot();
        assertEquals(2L * perThread, s.count());
        assertEquals(2L * perThread, h.count());
        assertEquals(2 * oneThreadBase + (long) perThread * 100_000, s.sum());
        assertEquals(0, s.min());
        assertEquals(4999 + 100_000, s.max());
    }
}
