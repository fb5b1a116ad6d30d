package dev.rainbarrel.examples;

import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.ThreadCells;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The stdlib-only Python reader agrees with the Java writer, byte layout and all. */
@Timeout(120)
class ReadBarrelPyTest {
  @TempDir Path dir;

  private static final Path SCRIPT = Path.of("read_barrel.py").toAbsolutePath();

  private record Run(int code, String out, String err) {}

  private static Run python(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("python3", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 timed out");
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void printsEveryCounterWithJavaValuesIncludingGrownExtentsAndGauges() throws Exception {
    Path f = dir.resolve("py.barrel");
    StringBuilder expected = new StringBuilder();
    try (Barrel b = Barrel.open(f)) {
      b.counter("requests").add(1234);
      b.gauge("calling").add(2);
      b.counter("queued", "127.0.0.1:8080").set(3);
      b.counter("big").add(-2); // unsigned 2^64 - 2
      b.block("request_duration", 1, 512, null); // a block between extents must be skipped
      expected.append("requests 1234\ncalling 2\nqueued{127.0.0.1:8080} 3\nbig 18446744073709551614\n");
      for (int i = 0; i < 300; i++) { // forces a second counter extent after the block
        b.counter("c" + i).add(i * 3L);
        expected.append("c").append(i).append(' ').append(i * 3L).append('\n');
      }
      Run r = python(f.toString());
      assertEquals(0, r.code(), r.err());
      assertEquals(expected.toString(), r.out());
      Run j = python("--json", f.toString());
      assertEquals(0, j.code(), j.err());
      assertTrue(j.out().startsWith("{\"requests\": 1234, \"calling\": 2, \"queued{127.0.0.1:8080}\": 3,"), j.out());
    }
    // After close this process's gauge slot is freed: Python no longer sees it.
    Run after = python(f.toString());
    assertFalse(after.out().contains("calling"), after.out());
  }

  @Test
  void sumsEachCountersBaseRecordAndItsPerThreadCellsAsJavaDoes() throws Exception {
    Path f = dir.resolve("cells.barrel");
    try (Barrel b = Barrel.open(f)) {
      ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of("calling"), null);
      b.counter("requests").add(5);
      b.gauge("calling").add(1);
      java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(3);
      List<Thread> ts = new java.util.ArrayList<>();
      for (int t = 1; t <= 3; t++) {
        long n = t * 100L;
        Thread th = new Thread(() -> {
          ThreadCells.Row row = cells.row(); // three live threads: three rows
          try {
            together.await(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          row.add(cells.cell("requests"), n);
          row.add(cells.cell("calling"), 1);
        });
        th.start();
        ts.add(th);
      }
      for (Thread th : ts) {
        th.join(60_000);
      }
      assertEquals(3, b.slots().stream().filter(s -> s.name().equals("requests") && s.cell()).count(),
          "the file holds the base record and three cells of requests");
      List<String> javaView = b.entries().stream().map(e -> e.name() + " " + Long.toUnsignedString(e.value())).toList();
      assertEquals(List.of("requests 605", "calling 4"), javaView);
      Run r = python(f.toString());
      assertEquals(0, r.code(), r.err());
      assertEquals("requests 605\ncalling 4\n", r.out());
    }
  }

  @Test
  void aNewerFormatVersionIsRefused() throws Exception {
    Path f = dir.resolve("v3.barrel");
    try (Barrel b = Barrel.open(f)) {
      b.counter("requests").increment();
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {3, 0, 0, 0}), 8);
    }
    Run r = python(f.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("format version 3 is newer than this reader (2)"), r.err());
  }

  @Test
  void badFilesGetAClearMessage() throws Exception {
    Path small = dir.resolve("small.barrel");
    Files.write(small, new byte[10]);
    Run r = python(small.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("truncated: 10 bytes"), r.err());
    Path foreign = dir.resolve("foreign.barrel");
    Files.write(foreign, new byte[8192]);
    Run f = python(foreign.toString());
    assertEquals(1, f.code());
    assertTrue(f.err().contains("not a barrel file"), f.err());
  }
}
