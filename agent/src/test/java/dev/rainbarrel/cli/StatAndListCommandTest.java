package dev.rainbarrel.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.ThreadCells;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatAndListCommandTest {
  @TempDir Path dir;

  @Test
  void statJsonHasEverySectionAndTheValues() throws Exception {
    Path f = dir.resolve("web.barrel");
    try (Barrel b = Barrel.open(f)) {
      b.counter("requests").add(41);
      b.counter("requests").increment();
      b.gauge("calling").add(3);
      b.counter("queued", "127.0.0.1:8080").set(5);
      b.counter("backlog", "127.0.0.1:8080").set(128);
      b.counter("wrapped").add(-1);
      b.histogram("request_duration").record(10);
      b.histogram("request_duration").record(30);
      CliTestSupport.Result r = CliTestSupport.run("stat", "--json", f.toString());
      assertEquals(0, r.code(), r.err());
      assertEquals("", r.err());
      String json = r.out().trim();
      assertEquals("{\"pid\":" + ProcessHandle.current().pid() + ",\"file\":\"" + f.toAbsolutePath()
          + "\",\"counters\":{\"requests\":42,\"calling\":3,\"wrapped\":18446744073709551615},"
          + "\"listeners\":{\"127.0.0.1:8080\":{\"active\":0,\"queued\":5,\"backlog\":128}},"
          + "\"histograms\":{\"request_duration\":{\"count\":2,\"min\":10,\"max\":30,\"mean\":20.0,"
          + "\"stddev\":" + Math.sqrt(200) + ",\"p50\":10,\"p90\":30,\"p99\":30}},"
          + "\"allocators\":{\"barrel_slots\":{\"capacity\":256,\"used\":5,\"free\":251}}}", json);
    }
  }

  @Test
  void statShowsCountersAndHistogramsSummedOverThreadCells() throws Exception {
    Path f = dir.resolve("cells.barrel");
    try (Barrel b = Barrel.open(f)) {
      ThreadCells cells = ThreadCells.create(b, java.util.List.of("requests"), java.util.List.of("calling"), "request_duration");
      b.counter("requests").add(5);
      b.histogram("request_duration").record(10);
      java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
      Thread[] ts = new Thread[2];
      for (int t = 0; t < 2; t++) {
        long n = 10L * (t + 1);
        ts[t] = new Thread(() -> {
          ThreadCells.Row row = cells.row();
          try {
            together.await(30, java.util.concurrent.TimeUnit.SECONDS); // both rows leased at once
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          row.add(cells.cell("requests"), n);
          row.add(cells.cell("calling"), 1);
          row.record(30);
        });
        ts[t].start();
      }
      for (Thread t : ts) {
        t.join(60_000);
      }
      assertEquals(2, cells.rowsLeased());
      CliTestSupport.Result r = CliTestSupport.run("stat", "--json", f.toString());
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("\"counters\":{\"requests\":35,\"calling\":2}"), r.out());
      assertTrue(r.out().contains("\"request_duration\":{\"count\":3,\"min\":10,\"max\":30,"), r.out());
    }
  }

  /** Where the source gives no backlog (/proc, JDK 17-21) the watcher writes none: unknown, not 0. */
  @Test
  void anUnknownBacklogIsNullInJsonAndAQuestionMarkInText() throws Exception {
    Path f = dir.resolve("proc.barrel");
    try (Barrel b = Barrel.open(f)) {
      b.gauge("active", "127.0.0.1:8080").set(2);
      b.gauge("queued", "127.0.0.1:8080").set(1);
      CliTestSupport.Result json = CliTestSupport.run("stat", "--json", f.toString());
      assertEquals(0, json.code(), json.err());
      assertTrue(json.out().contains("\"listeners\":{\"127.0.0.1:8080\":{\"active\":2,\"queued\":1,\"backlog\":null}}"),
          json.out());
      CliTestSupport.Result text = CliTestSupport.run("stat", f.toString());
      assertTrue(text.out().contains("127.0.0.1:8080  active 2  queued 1  backlog ?"), text.out());
    }
  }

  @Test
  void statTextAndWatchRounds() throws Exception {
    Path f = dir.resolve("t.barrel");
    try (Barrel b = Barrel.open(f)) {
      b.counter("requests").add(7);
      CliTestSupport.Result r = CliTestSupport.run("stat", f.toString());
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("requests  7"), r.out());
      assertTrue(r.out().contains("listeners:\n  (none)"), r.out());
      CliTestSupport.Result w = CliTestSupport.run("stat", "--json", "--watch", "0.05", "--count", "3", f.toString());
      assertEquals(0, w.code(), w.err());
      assertEquals(3, w.out().lines().count(), w.out());
    }
  }

  @Test
  void statByPidUsesTheDefaultFile() throws Exception {
    long pid = ProcessHandle.current().pid();
    Path p = Barrel.defaultPath(pid);
    boolean existed = Files.exists(p);
    try (Barrel b = Barrel.open(p)) {
      b.counter("stat_by_pid_test").increment();
      CliTestSupport.Result r = CliTestSupport.run("stat", "--json", Long.toString(pid));
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("\"stat_by_pid_test\":1"), r.out());
      CliTestSupport.Result l = CliTestSupport.run("list", "--json");
      assertEquals(0, l.code(), l.err());
      assertTrue(l.out().contains("{\"pid\":" + pid + ",\"alive\":true,\"file\":\"" + p + "\""), l.out());
    } finally {
      if (!existed) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void errorsAreOneLineWithTheRightExitCode() {
    CliTestSupport.Result missing = CliTestSupport.run("stat", dir.resolve("nope.barrel").toString());
    assertEquals(1, missing.code());
    assertEquals(1, missing.err().lines().count(), missing.err());
    assertTrue(missing.err().contains("no such file"), missing.err());

    CliTestSupport.Result noPid = CliTestSupport.run("stat", "99999999");
    assertEquals(1, noPid.code());
    assertTrue(noPid.err().startsWith("rainbarrel: no rainbarrel file for pid 99999999"), noPid.err());

    CliTestSupport.Result usage = CliTestSupport.run("stat", "--watch", "0", "x");
    assertEquals(2, usage.code());
    assertEquals(1, usage.err().lines().count(), usage.err());

    CliTestSupport.Result unknown = CliTestSupport.run("stat", "--bogus", "x");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("--bogus"), unknown.err());

    CliTestSupport.Result noCommand = CliTestSupport.run();
    assertEquals(2, noCommand.code());
  }

  @Test
  void foreignFileIsAFailureNamingTheFile() throws Exception {
    Path f = dir.resolve("foreign.barrel");
    Files.writeString(f, "x".repeat(5000));
    CliTestSupport.Result r = CliTestSupport.run("stat", f.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains(f.toAbsolutePath() + ": not a barrel file"), r.err());
    CliTestSupport.Result l = CliTestSupport.run("list", "--json", "--dir", dir.toString());
    assertEquals(0, l.code(), l.err());
    assertTrue(l.out().contains("\"problem\":"), "a bad file is listed with its problem: " + l.out());
  }
}
