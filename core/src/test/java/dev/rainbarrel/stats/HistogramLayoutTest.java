package dev.rainbarrel.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HistogramLayoutTest {

    @Test
    void bucketsTileTheValueRangeWithoutGapsOrOverlap() {
        for (int k = HistogramLayout.MIN_SUB_BUCKET_BITS; k <= 6; k++) {
            for (int m : new int[] {k + 1, k + 3, 40, 62}) {
                HistogramLayout layout = HistogramLayout.of(k, m);
                assertEquals((m - k + 1) * (1 << k) + 1, layout.bucketCount(), layout.toString());
                long expectedLower = 0;
                for (int i = 0; i < layout.bucketCount(); i++) {
                    long lo = layout.lowerBound(i);
                    long hi = layout.upperBound(i);
                    assertEquals(expectedLower, lo, layout + " bucket " + i);
                    assertTrue(hi >= lo, layout + " bucket " + i);
                    assertEquals(i, layout.indexOf(lo), layout + " lower of " + i);
                    assertEquals(i, layout.indexOf(hi), layout + " upper of " + i);
                    if (i < layout.overflowIndex()) {
                        // width is below lo / 2^k: the relative-error guarantee
                        assertTrue(lo < 2L << k ? hi == lo : (hi - lo + 1) * (1L << k) <= lo, layout + " bucket " + i);
                    }
                    expectedLower = hi + 1;
                }
                assertEquals(Long.MAX_VALUE, layout.upperBound(layout.overflowIndex()));
                assertEquals(1L << m, layout.lowerBound(layout.overflowIndex()));
            }
        }
    }

    @Test
    void smallValuesAreExactAndLargeOnesOverflow() {
        HistogramLayout layout = HistogramLayout.DEFAULT;
        for (long v = 0; v < 64; v++) {
            int i = layout.indexOf(v);
            assertEquals(v, layout.lowerBound(i));
            assertEquals(v, layout.upperBound(i));
        }
        assertEquals(layout.overflowIndex(), layout.indexOf(1L << 40));
        assertEquals(layout.overflowIndex(), layout.indexOf(Long.MAX_VALUE));
        assertEquals(layout.overflowIndex() - 1, layout.indexOf((1L << 40) - 1));
        assertEquals(0, layout.indexOf(-5), "negative values count as 0");
        assertEquals(1153, layout.bucketCount());
        assertEquals(9352, LogLinearHistogram.regionLength(layout));
    }

    @Test
    void rejectsLayoutsOutsideTheSupportedRange() {
        assertThrows(IllegalArgumentException.class, () -> HistogramLayout.of(0, 40));
        assertThrows(IllegalArgumentException.class, () -> HistogramLayout.of(11, 40));
        assertThrows(IllegalArgumentException.class, () -> HistogramLayout.of(5, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HistogramLayout.of(5, 63));
        assertTrue(e.getMessage().contains("maxValueBits 63"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> HistogramLayout.DEFAULT.lowerBound(1153));
    }
}
