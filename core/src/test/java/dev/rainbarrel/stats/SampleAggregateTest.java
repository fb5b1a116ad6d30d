package dev.rainbarrel.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SampleAggregateTest {

    private static SampleAggregate of(long... samples) {
        SampleAggregate a = new SampleAggregate(1_000);
        long t = 2_000;
        for (long s : samples) {
            a.add(s, t);
            t += 1_000;
        }
        return a;
    }

    @Test
    void fibonacciSeriesWithZerosByHand() {
        SampleSnapshot s = of(0, 1, 1, 2, 3, 5, 8, 13, 21, 0).snapshot();
        assertEquals(10, s.count());
        assertEquals(54, s.sum());
        assertEquals(0, s.min());
        assertEquals(21, s.max());
        assertEquals(5.4, s.mean(), 1e-12);
        // squared deviations from 5.4: 29.16 19.36 19.36 11.56 5.76 0.16 6.76 57.76 243.36 29.16 = 422.4
        assertEquals(Math.sqrt(422.4 / 9), s.stddev(), 1e-12);
        assertEquals(2, s.outliersLow(), "the two zeros are below the gem's lowest bucket (1)");
        assertEquals(0, s.outliersHigh());
        long[] log2 = new long[SampleAggregate.LOG2_BUCKETS];
        log2[0] = 2; // 1 1
        log2[1] = 2; // 2 3
        log2[2] = 1; // 5
        log2[3] = 2; // 8 13
        log2[4] = 1; // 21
        assertArrayEquals(log2, s.log2Counts());
        assertEquals("[1=2, 2=2, 4=1, 8=2, 16=1]", s.log2Buckets().toString());
        // sorted 0 0 1 1 2 3 5 8 13 21: ranks 5, 9, 10
        assertEquals(2, s.p50());
        assertEquals(13, s.p90());
        assertEquals(21, s.p99());
        assertEquals(0, s.current(), "last sample");
        assertEquals(1_000, s.lastResetMillis());
        // 21 (a new max) was sampled at t = 2000 + 8 * 1000
        assertEquals(10_000, s.firstPeakAtMillis());
        assertEquals(10_000, s.lastPeakAtMillis());
    }

    @Test
    void piDigitsByHand() {
        SampleSnapshot s = of(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5).snapshot();
        assertEquals(11, s.count());
        assertEquals(44, s.sum());
        assertEquals(4.0, s.mean(), 1e-12);
        // squared deviations from 4: 1 9 0 9 1 25 4 4 1 1 1 = 56
        assertEquals(Math.sqrt(56.0 / 10), s.stddev(), 1e-12);
        assertEquals(0, s.outliersLow());
        assertEquals(5, s.current());
        // sorted 1 1 2 3 3 4 5 5 5 6 9: ranks ceil(5.5)=6 -> 4, ceil(9.9)=10 -> 6, ceil(10.89)=11 -> 9
        assertEquals(4, s.p50());
        assertEquals(6, s.p90());
        assertEquals(9, s.p99());
    }

    @Test
    void fewerThanTwoSamplesHaveZeroStddevAndEmptyMeansZeros() {
        SampleSnapshot empty = new SampleAggregate(5).snapshot();
        assertEquals(0, empty.count());
        assertEquals(0, empty.min());
        assertEquals(0, empty.max());
        assertEquals(0.0, empty.mean());
        assertEquals(0.0, empty.stddev());
        assertEquals(5, empty.lastResetMillis());
        assertEquals(5, empty.firstPeakAtMillis());
        SampleSnapshot one = of(7).snapshot();
        assertEquals(1, one.count());
        assertEquals(7.0, one.mean());
        assertEquals(0.0, one.stddev());
        assertEquals(7, one.min());
        assertEquals(7, one.max());
    }

    @Test
    void peaksFollowTheWatcherRules() {
        SampleAggregate a = new SampleAggregate(1_000);
        a.add(0, 2_000);
        assertPeaks(a, 1_000, 1_000, "zero never peaks");
        a.add(3, 3_000);
        assertPeaks(a, 3_000, 3_000, "new max");
        a.add(2, 4_000);
        assertPeaks(a, 3_000, 3_000, "below max");
        a.add(3, 5_000);
        assertPeaks(a, 3_000, 5_000, "max seen again moves only the last peak");
        a.add(5, 6_000);
        assertPeaks(a, 6_000, 6_000, "higher max resets both");
        a.add(0, 7_000);
        a.add(5, 8_000);
        assertPeaks(a, 6_000, 8_000, "max seen again");

        a.reset(9_000);
        SampleSnapshot r = a.snapshot();
        assertEquals(0, r.count());
        assertEquals(9_000, r.lastResetMillis());
        assertPeaks(a, 9_000, 9_000, "reset moves peaks to the reset time");
        assertEquals(5, r.current(), "current survives a reset");
        assertEquals("Empty histogram", r.toText());

        a.add(4, 10_000);
        assertPeaks(a, 10_000, 10_000, "first positive sample after reset is a new max");
        assertEquals(4, a.snapshot().min());

        SampleAggregate zeros = of(0, 0, 0);
        assertPeaks(zeros, 1_000, 1_000, "all zeros: peaks stay at creation");
        assertEquals(3, zeros.snapshot().outliersLow());
    }

    private static void assertPeaks(SampleAggregate a, long first, long last, String why) {
        SampleSnapshot s = a.snapshot();
        assertEquals(first, s.firstPeakAtMillis(), why + ": first peak");
        assertEquals(last, s.lastPeakAtMillis(), why + ": last peak");
    }

    @Test
    void rejectsNegativeSamples() {
        SampleAggregate a = of(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(-3, 0));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
        assertEquals(1, a.count(), "nothing changed");
    }

    @Test
    void largeSamplesUseExactLog2BucketsAndOverflowThePercentileHistogram() {
        long big = (1L << 48) - 1; // the gem's floating log2 would misplace this one into 2^48
        SampleSnapshot s = of(big, Long.MAX_VALUE).snapshot();
        assertEquals(1, s.log2Count(47));
        assertEquals(1, s.log2Count(62));
        // both are beyond the DEFAULT layout's 2^40: percentiles in the overflow bucket report the max
        assertEquals(Long.MAX_VALUE, s.p50());
        assertEquals(big, s.min());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readersOnOtherThreadsAlwaysSeeConsistentSnapshots() throws Exception {
        SampleAggregate a = new SampleAggregate(0);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> problem = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Thread t = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!done.get() && System.nanoTime() < deadline) {
                    SampleSnapshot s = a.snapshot();
                    long inBuckets = 0;
                    for (long c : s.log2Counts()) {
                        inBuckets += c;
                    }
                    if (inBuckets + s.outliersLow() != s.count() || s.distribution().count() != s.count()
                            || s.sum() != sumOfFirst(s.count())
                            || (s.count() > 0 && s.max() != s.count() - 1)) {
                        problem.compareAndSet(null, "inconsistent " + s);
                    }
                }
            });
            readers.add(t);
            t.start();
        }
        for (long i = 0; i < 200_000; i++) {
            a.add(i, i);
        }
        done.set(true);
        for (Thread t : readers) {
            t.join(TimeUnit.SECONDS.toMillis(40));
            assertTrue(!t.isAlive());
        }
        assertEquals(null, problem.get());
        assertEquals(200_000, a.snapshot().count());
    }

    private static long sumOfFirst(long n) {
        return n * (n - 1) / 2; // 0 + 1 + ... + (n - 1)
    }

    @Test
    void textMatchesTheAggregateGem() {
        // Expected texts produced by the aggregate gem 0.2.4 (Aggregate#to_s) for the same samples.
        assertEquals(""
                + "value |------------------------------------------------------------------| count\n"
                + "    1 |@@                                                                |     2\n"
                + "    2 |@@                                                                |     2\n"
                + "    4 |@                                                                 |     1\n"
                + "    8 |@@                                                                |     2\n"
                + "   16 |@                                                                 |     1\n"
                + "      ~\n"
                + "Total |------------------------------------------------------------------|     8\n",
                of(0, 1, 1, 2, 3, 5, 8, 13, 21, 0).snapshot().toText());

        SampleAggregate skewed = new SampleAggregate(0);
        for (int i = 0; i < 1000; i++) {
            skewed.add(1, i);
        }
        for (int i = 0; i < 500; i++) {
            skewed.add(2, i);
        }
        for (int i = 0; i < 3; i++) {
            skewed.add(100_000, i);
        }
        assertEquals(""
                + "value |------------------------------------------------------------------| count\n"
                + "    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|  1000\n"
                + "    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                                 |   500\n"
                + "      ~\n"
                + "65536 |                                                                  |     3\n"
                + "      ~\n"
                + "Total |------------------------------------------------------------------|  1503\n",
                skewed.snapshot().toText());

        assertEquals(""
                + "value |------------------------------------------------------------------| count\n"
                + "    4 |@                                                                 |     1\n"
                + "      ~\n"
                + "Total |------------------------------------------------------------------|     1\n",
                of(7).snapshot().toText());
        assertEquals("Empty histogram", of(0, 0, 0).snapshot().toText());
    }

    @Test
    void textWidthFollowsColumnsAndValueDigits() {
        SampleSnapshot s = of(1_000_000, 3).snapshot();
        String text = s.toText(100);
        String[] lines = text.split("\n");
        for (String line : lines) {
            if (!line.endsWith("~")) {
                assertEquals(100, line.length(), line);
            }
        }
        // 2^19 = 524288 is the widest value: six columns
        assertTrue(lines[0].startsWith(" value |"), lines[0]);
        assertTrue(text.contains("524288 |@"), text);
        assertTrue(text.contains("     2 |@"), text);
        assertThrows(IllegalArgumentException.class, () -> s.toText(79));
    }
}
