package dev.rainbarrel.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Child-JVM side of {@link HistogramCrossProcessTest}: maps the file, wraps the histogram region the
 * parent formatted, announces itself, waits for the parent's go signal and records its share.
 *
 * <p>Arguments: file, region offset, number of values, value base. Values are {@code base + i % 1000}.
 */
public final class HistogramChildRecorder {

    /** Word the child sets to 1 once it has wrapped the region. */
    static final int READY_OFFSET = 0;
    /** Word the parent sets to 1 to start both recorders together. */
    static final int GO_OFFSET = 8;

    static final VarHandle FLAG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private HistogramChildRecorder() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int offset = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        long base = Long.parseLong(args[3]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
            LogLinearHistogram histogram = LogLinearHistogram.wrap(map, offset);
            FLAG.setRelease(map, READY_OFFSET, 1L);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while ((long) FLAG.getAcquire(map, GO_OFFSET) == 0) {
                if (System.nanoTime() > deadline) {
                    System.err.println("child: no go signal from the parent within 30 s");
                    System.exit(3);
                }
                Thread.onSpinWait();
            }
            for (int i = 0; i < n; i++) {
                histogram.record(base + i % 1000);
            }
        }
    }
}
