package dev.rainbarrel.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A histogram region in a file, recorded into by this JVM and a child JVM at the same time. */
class HistogramCrossProcessTest {

    private static final int REGION_OFFSET = 64;
    private static final int PER_PROCESS = 500_000;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void parentAndChildJvmRecordConcurrentlyIntoOneMappedRegion(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("histogram.bin");
        HistogramLayout layout = HistogramLayout.DEFAULT;
        int size = REGION_OFFSET + LogLinearHistogram.regionLength(layout);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            LogLinearHistogram histogram = LogLinearHistogram.format(map, REGION_OFFSET, layout);

            String java = ProcessHandle.current().info().command().orElseThrow();
            Path log = dir.resolve("child.log");
            Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    HistogramChildRecorder.class.getName(), file.toString(), Integer.toString(REGION_OFFSET),
                    Integer.toString(PER_PROCESS), "1000000"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while ((long) HistogramChildRecorder.FLAG.getAcquire(map, HistogramChildRecorder.READY_OFFSET) == 0) {
                    assertTrue(child.isAlive(), () -> "child exited early: " + read(log));
                    assertTrue(System.nanoTime() < deadline, "child not ready within 60 s");
                    Thread.sleep(5);
                }
                HistogramChildRecorder.FLAG.setRelease(map, HistogramChildRecorder.GO_OFFSET, 1L);
                for (int i = 0; i < PER_PROCESS; i++) {
                    histogram.record(i % 1000);
                }
                assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not finish within 60 s");
                assertEquals(0, child.exitValue(), () -> "child failed: " + read(log));
            } finally {
                child.destroyForcibly();
            }

            long parentSum = 0;
            long childSum = 0;
            for (int i = 0; i < PER_PROCESS; i++) {
                parentSum += i % 1000;
                childSum += 1_000_000 + i % 1000;
            }
            HistogramSnapshot s = histogram.snapshot();
            assertEquals(2L * PER_PROCESS, s.count());
            assertEquals(2L * PER_PROCESS, histogram.count());
            assertEquals(parentSum + childSum, s.sum());
            assertEquals(0, s.min());
            assertEquals(1_000_999, s.max());
            // the median is the parent's largest value (999), reported as its bucket's highest value
            assertEquals(layout.upperBound(layout.indexOf(999)), s.p50());
            assertTrue(s.valueAtPercentile(50.001) >= 1_000_000, "above the median are the child's values");

            // a third party mapping the file read-only sees the same totals
            try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
                HistogramSnapshot seen = LogLinearHistogram.wrap(reader.map(FileChannel.MapMode.READ_ONLY, 0, size),
                        REGION_OFFSET).snapshot();
                assertEquals(s, seen);
            }
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "(no child log: " + e + ")";
        }
    }
}
