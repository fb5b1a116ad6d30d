package dev.rainbarrel.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A log-linear histogram of non-negative {@code long} values (see {@link HistogramLayout}) kept in a
 * region of a direct or memory-mapped {@link ByteBuffer}, so that several threads and processes mapping
 * the same file record into it at once. Every update is one atomic operation on a 64-bit little-endian
 * word; {@link #record(long)} allocates nothing and takes no lock.
 *
 * <h2>Region layout</h2>
 * The region starts at an 8-byte-aligned offset chosen by the caller and is
 * {@link #regionLength(HistogramLayout)} bytes long. All fields are little-endian; offsets are relative
 * to the region start.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            Magic "RBHISTLL" (8 ASCII bytes)                    |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Layout Version (int32)                    |  8
 *  +---------------------------------------------------------------+
 *  |                 Sub-Bucket Bits k (int32)                     | 12
 *  +---------------------------------------------------------------+
 *  |                 Max Value Bits m (int32)                      | 16
 *  +---------------------------------------------------------------+
 *  |       Bucket Count, overflow bucket included (int32)          | 20
 *  +---------------------------------------------------------------+
 *  |        Total Region Length in bytes (int64)                   | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Buckets Offset = 128 (int32)                     | 32
 *  +---------------------------------------------------------------+
 *  |                  Reserved (28 bytes, zero)                   ...  36
 *  +---------------------------------------------------------------+
 *  |                     Count (int64)                             | 64
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Sum (int64)                              | 72
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Min (int64; Long.MAX_VALUE when empty)               | 80
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Max (int64; Long.MIN_VALUE when empty)               | 88
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Reserved (32 bytes, zero)                   ...  96
 *  +---------------------------------------------------------------+
 *  |       Bucket 0 count (int64) ... Bucket n-1 count (int64)    ... 128
 *  +---------------------------------------------------------------+
 * </pre>
 * The header line (0..63) is written once by {@link #format}; the statistics line (64..127) and the
 * buckets change on every record. The magic is written last, with release semantics, so a process that
 * reads it with acquire semantics (as {@link #wrap} does) sees a complete header.
 *
 * <h2>Memory ordering</h2>
 * {@code record} updates, in this order: min (CAS loop, skipped when not lower), max (CAS loop, skipped
 * when not higher), sum ({@code getAndAdd}), the bucket ({@code getAndAdd}), count ({@code getAndAdd}).
 * {@link #snapshot()} reads in the opposite order with volatile reads: buckets, then sum, max, min. So
 * every value a snapshot finds in a bucket is already reflected in its min, max and sum; under concurrent
 * recording the snapshot's sum may include a few values whose buckets it did not see. Each field is
 * exact on its own; once writers pause, everything agrees exactly.
 *
 * <p>Negative values are recorded as 0 (durations cannot be negative; a clock step must not corrupt
 * the histogram). Sum wraps on overflow like any 64-bit counter (2^63 µs is 292 000 years).
 *
 * <p>A buffer mapped read-only can be wrapped and read; {@code record} and {@code reset} on it throw
 * {@link java.nio.ReadOnlyBufferException}.
 */
public final class LogLinearHistogram {

    /** The 8 magic bytes "RBHISTLL" read as a little-endian long. */
    public static final long MAGIC = 0x4C4C545349484252L;
    /** Layout version written by this class; {@link #wrap} accepts only this version. */
    public static final int LAYOUT_VERSION = 1;

    /** Offset of the 8-byte magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the int32 layout version. */
    public static final int VERSION_OFFSET = MAGIC_OFFSET + Long.BYTES;
    /** Offset of the int32 sub-bucket bits {@code k}. */
    public static final int SUB_BUCKET_BITS_OFFSET = VERSION_OFFSET + Integer.BYTES;
    /** Offset of the int32 max value bits {@code m}. */
    public static final int MAX_VALUE_BITS_OFFSET = SUB_BUCKET_BITS_OFFSET + Integer.BYTES;
    /** Offset of the int32 bucket count (overflow bucket included). */
    public static final int BUCKET_COUNT_OFFSET = MAX_VALUE_BITS_OFFSET + Integer.BYTES;
    /** Offset of the int64 total region length in bytes. */
    public static final int TOTAL_LENGTH_OFFSET = BUCKET_COUNT_OFFSET + Integer.BYTES;
    /** Offset of the int32 holding where the buckets start. */
    public static final int BUCKETS_OFFSET_OFFSET = TOTAL_LENGTH_OFFSET + Long.BYTES;
    /** Size of the header line; the statistics start here, on their own cache line. */
    public static final int HEADER_LENGTH = 64;
    /** Offset of the int64 count of recorded values. */
    public static final int COUNT_OFFSET = HEADER_LENGTH;
    /** Offset of the int64 sum of recorded values. */
    public static final int SUM_OFFSET = COUNT_OFFSET + Long.BYTES;
    /** Offset of the int64 minimum ({@code Long.MAX_VALUE} when empty). */
    public static final int MIN_OFFSET = SUM_OFFSET + Long.BYTES;
    /** Offset of the int64 maximum ({@code Long.MIN_VALUE} when empty). */
    public static final int MAX_OFFSET = MIN_OFFSET + Long.BYTES;
    /** Buckets start on a 128-byte boundary after the two 64-byte lines (header, statistics). */
    public static final int BUCKETS_OFFSET = 2 * HEADER_LENGTH;

    private static final VarHandle LONG =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer buffer;
    private final int offset;
    private final HistogramLayout layout;
    // Copies of the layout's numbers so record() reads only this object's final fields.
    private final int subBucketBits;
    private final int subBucketCount;
    private final int maxValueBits;
    private final int overflowIndex;
    private final int bucketsBase;

    private LogLinearHistogram(ByteBuffer buffer, int offset, HistogramLayout layout) {
        this.buffer = buffer;
        this.offset = offset;
        this.layout = layout;
        this.subBucketBits = layout.subBucketBits();
        this.subBucketCount = 1 << subBucketBits;
        this.maxValueBits = layout.maxValueBits();
        this.overflowIndex = layout.overflowIndex();
        this.bucketsBase = offset + BUCKETS_OFFSET;
    }

    /** Bytes a region with this layout occupies: the two header lines plus 8 bytes per bucket. */
    public static int regionLength(HistogramLayout layout) {
        return BUCKETS_OFFSET + layout.bucketCount() * Long.BYTES;
    }

    /**
     * A histogram in a fresh direct buffer of its own, for in-process use (e.g. by {@link SampleAggregate}).
     */
    public static LogLinearHistogram allocate(HistogramLayout layout) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(regionLength(layout) + Long.BYTES);
        int aligned = buffer.alignmentOffset(0, Long.BYTES) == 0 ? 0 : Long.BYTES - buffer.alignmentOffset(0, Long.BYTES);
        return format(buffer, aligned, layout);
    }

    /**
     * Initialises the region at {@code offset}: header, zero statistics and buckets, then the magic
     * (release). Call it once, under whatever lock guards the file's initialisation, before any process
     * wraps the region; formatting a region others are using discards their data.
     *
     * @throws IllegalArgumentException if the buffer is not direct, or the region is misaligned or does not fit
     */
    public static LogLinearHistogram format(ByteBuffer buffer, int offset, HistogramLayout layout) {
        checkRegion(buffer, offset, regionLength(layout));
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("cannot format a histogram region in a read-only buffer");
        }
        LONG.setVolatile(buffer, offset + MAGIC_OFFSET, 0L); // readers wait for the final magic
        INT.set(buffer, offset + VERSION_OFFSET, LAYOUT_VERSION);
        INT.set(buffer, offset + SUB_BUCKET_BITS_OFFSET, layout.subBucketBits());
        INT.set(buffer, offset + MAX_VALUE_BITS_OFFSET, layout.maxValueBits());
        INT.set(buffer, offset + BUCKET_COUNT_OFFSET, layout.bucketCount());
        LONG.set(buffer, offset + TOTAL_LENGTH_OFFSET, (long) regionLength(layout));
        INT.set(buffer, offset + BUCKETS_OFFSET_OFFSET, BUCKETS_OFFSET);
        for (int i = BUCKETS_OFFSET_OFFSET + Integer.BYTES; i < COUNT_OFFSET; i += Integer.BYTES) {
            INT.set(buffer, offset + i, 0);
        }
        for (int i = COUNT_OFFSET; i < BUCKETS_OFFSET; i += Long.BYTES) {
            LONG.set(buffer, offset + i, 0L);
        }
        LogLinearHistogram histogram = new LogLinearHistogram(buffer, offset, layout);
        histogram.reset();
        LONG.setRelease(buffer, offset + MAGIC_OFFSET, MAGIC);
        return histogram;
    }

    /**
     * Attaches to a region formatted by {@link #format} (possibly by another process), reading its layout
     * from the header.
     *
     * @throws IllegalArgumentException naming the problem: heap buffer, misaligned or out-of-range offset,
     *     bad magic (not formatted or not a histogram), unsupported version, invalid layout numbers,
     *     a bucket count or length that disagrees with the layout, or a region extending beyond the buffer
     */
    public static LogLinearHistogram wrap(ByteBuffer buffer, int offset) {
        return wrap(buffer, offset, buffer.capacity() - offset);
    }

    /**
     * Like {@link #wrap(ByteBuffer, int)} for a region that must also fit in the {@code available} bytes
     * starting at {@code offset} (e.g. the payload of a named block in a shared file).
     *
     * @throws IllegalArgumentException as {@link #wrap(ByteBuffer, int)}, or if the region's length
     *     exceeds {@code available}
     */
    public static LogLinearHistogram wrap(ByteBuffer buffer, int offset, int available) {
        checkRegion(buffer, offset, HEADER_LENGTH);
        long magic = (long) LONG.getAcquire(buffer, offset + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IllegalArgumentException(String.format(
                    "bad magic 0x%016x at offset %d (expected 0x%016x \"RBHISTLL\"): not a formatted histogram region",
                    magic, offset, MAGIC));
        }
        int version = (int) INT.get(buffer, offset + VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw new IllegalArgumentException("histogram region at offset " + offset + " has layout version "
                    + version + ", this reader understands only version " + LAYOUT_VERSION);
        }
        int k = (int) INT.get(buffer, offset + SUB_BUCKET_BITS_OFFSET);
        int m = (int) INT.get(buffer, offset + MAX_VALUE_BITS_OFFSET);
        HistogramLayout layout;
        try {
            layout = HistogramLayout.of(k, m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("histogram region at offset " + offset + " has an invalid layout: "
                    + e.getMessage(), e);
        }
        int bucketCount = (int) INT.get(buffer, offset + BUCKET_COUNT_OFFSET);
        if (bucketCount != layout.bucketCount()) {
            throw new IllegalArgumentException("histogram region at offset " + offset + " says " + bucketCount
                    + " buckets but its layout (k=" + k + ", m=" + m + ") has " + layout.bucketCount());
        }
        int bucketsOffset = (int) INT.get(buffer, offset + BUCKETS_OFFSET_OFFSET);
        if (bucketsOffset != BUCKETS_OFFSET) {
            throw new IllegalArgumentException("histogram region at offset " + offset + " has buckets at "
                    + bucketsOffset + ", expected " + BUCKETS_OFFSET);
        }
        long length = (long) LONG.get(buffer, offset + TOTAL_LENGTH_OFFSET);
        if (length != regionLength(layout)) {
            throw new IllegalArgumentException("histogram region at offset " + offset + " says length " + length
                    + " but its layout needs " + regionLength(layout));
        }
        if (offset + length > buffer.capacity()) {
            throw new IllegalArgumentException("histogram region at offset " + offset + " of length " + length
                    + " extends beyond the buffer's capacity " + buffer.capacity());
        }
        if (length > available) {
            throw new IllegalArgumentException("histogram region at offset " + offset + " of length " + length
                    + " extends beyond the " + available + " bytes available to it");
        }
        return new LogLinearHistogram(buffer, offset, layout);
    }

    private static void checkRegion(ByteBuffer buffer, int offset, int length) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException(
                    "a histogram region needs a direct or mapped ByteBuffer (heap buffers have no atomic 64-bit access)");
        }
        if (offset < 0 || (offset & (Long.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("histogram region offset " + offset + " is not a non-negative multiple of 8");
        }
        if (buffer.alignmentOffset(offset, Long.BYTES) != 0) {
            throw new IllegalArgumentException("histogram region offset " + offset
                    + " is not 8-byte aligned in memory (buffer address misaligned by "
                    + buffer.alignmentOffset(offset, Long.BYTES) + ")");
        }
        if ((long) offset + length > buffer.capacity()) {
            throw new IllegalArgumentException("histogram region at offset " + offset + " needs " + length
                    + " bytes but the buffer's capacity is " + buffer.capacity());
        }
    }

    /** The layout read from (or written to) the header. */
    public HistogramLayout layout() {
        return layout;
    }

    /** Offset of the region in its buffer. */
    public int offset() {
        return offset;
    }

    /** Length of the region in bytes. */
    public int length() {
        return regionLength(layout);
    }

    /** The bucket of a non-negative value (the arithmetic of {@link HistogramLayout}). */
    private int bucketIndex(long v) {
        if ((v >>> maxValueBits) != 0) {
            return overflowIndex;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v | subBucketCount) - subBucketBits;
        return (shift << subBucketBits) + (int) (v >>> shift);
    }

    /**
     * Records one value (negative values as 0). Lock-free and allocation-free: at most two CAS loops
     * that are skipped unless the value is a new minimum or maximum, and three {@code getAndAdd}.
     */
    public void record(long value) {
        long v = value & ~(value >> 63);
        int index = bucketIndex(v);
        ByteBuffer b = buffer;
        int minAt = offset + MIN_OFFSET;
        long min = (long) LONG.getVolatile(b, minAt);
        while (v < min) {
            long seen = (long) LONG.compareAndExchange(b, minAt, min, v);
            if (seen == min) {
                break;
            }
            min = seen;
        }
        int maxAt = offset + MAX_OFFSET;
        long max = (long) LONG.getVolatile(b, maxAt);
        while (v > max) {
            long seen = (long) LONG.compareAndExchange(b, maxAt, max, v);
            if (seen == max) {
                break;
            }
            max = seen;
        }
        LONG.getAndAdd(b, offset + SUM_OFFSET, v);
        LONG.getAndAdd(b, bucketsBase + (index << 3), 1L);
        LONG.getAndAdd(b, offset + COUNT_OFFSET, 1L);
    }

    /**
     * Records one value like {@link #record(long)}, for a region that only the calling thread ever
     * writes (a per-thread row of {@code dev.rainbarrel.shm.ThreadCells}): plain reads, opaque
     * writes and a release write of the bucket (so, as with {@link #record}, a value a snapshot
     * finds in a bucket is already in min, max and sum), no locked instruction: plain moves on
     * x86. Readers in other threads and processes see each field whole, never torn.
     * Calling it from two threads at once, or together with {@link #record} on the same region,
     * loses updates.
     */
    public void recordSingleWriter(long value) {
        long v = value & ~(value >> 63);
        int index = bucketIndex(v);
        ByteBuffer b = buffer;
        int minAt = offset + MIN_OFFSET;
        if (v < (long) LONG.get(b, minAt)) {
            LONG.setOpaque(b, minAt, v);
        }
        int maxAt = offset + MAX_OFFSET;
        if (v > (long) LONG.get(b, maxAt)) {
            LONG.setOpaque(b, maxAt, v);
        }
        int sumAt = offset + SUM_OFFSET;
        LONG.setOpaque(b, sumAt, (long) LONG.get(b, sumAt) + v);
        int bucketAt = bucketsBase + (index << 3);
        LONG.setRelease(b, bucketAt, (long) LONG.get(b, bucketAt) + 1L); // min, max, sum before it
        int countAt = offset + COUNT_OFFSET;
        LONG.setOpaque(b, countAt, (long) LONG.get(b, countAt) + 1L);
    }

    /** The count field (volatile read): number of values recorded since format or reset. */
    public long count() {
        return (long) LONG.getVolatile(buffer, offset + COUNT_OFFSET);
    }

    /** The sum field (volatile read). */
    public long sum() {
        return (long) LONG.getVolatile(buffer, offset + SUM_OFFSET);
    }

    /**
     * Zeroes count, sum and buckets and empties min/max. Not atomic with respect to concurrent
     * {@link #record} calls (in this or other processes): a value recorded during a reset may be partly
     * kept (e.g. in its bucket but not in the count). Reset when writers are quiet, or accept that
     * fuzziness; for interval statistics prefer {@link HistogramSnapshot#minus}.
     */
    public void reset() {
        ByteBuffer b = buffer;
        LONG.setVolatile(b, offset + COUNT_OFFSET, 0L);
        for (int i = 0; i <= overflowIndex; i++) {
            LONG.setVolatile(b, bucketsBase + (i << 3), 0L);
        }
        LONG.setVolatile(b, offset + SUM_OFFSET, 0L);
        LONG.setVolatile(b, offset + MAX_OFFSET, Long.MIN_VALUE);
        LONG.setVolatile(b, offset + MIN_OFFSET, Long.MAX_VALUE);
    }

    /**
     * An immutable copy of the statistics and buckets (see the class comment for what it guarantees
     * while others are recording). The snapshot's count is the total of the buckets it read.
     */
    public HistogramSnapshot snapshot() {
        ByteBuffer b = buffer;
        long[] counts = new long[overflowIndex + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = (long) LONG.getVolatile(b, bucketsBase + (i << 3));
        }
        long sum = (long) LONG.getVolatile(b, offset + SUM_OFFSET);
        long max = (long) LONG.getVolatile(b, offset + MAX_OFFSET);
        long min = (long) LONG.getVolatile(b, offset + MIN_OFFSET);
        return HistogramSnapshot.fromRegion(layout, counts, sum, min, max);
    }

    @Override
    public String toString() {
        return "LogLinearHistogram[offset=" + offset + ", " + layout + ", count=" + count() + "]";
    }
}
