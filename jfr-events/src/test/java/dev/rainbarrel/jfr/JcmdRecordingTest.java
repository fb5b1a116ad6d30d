package dev.rainbarrel.jfr;

import static org.junit.jupiter.api.Assertions.*;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelEntry;
import dev.rainbarrel.shm.StandardNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's own tools on a running server: {@code jcmd JFR.start} / {@code JFR.dump} on a child
 * JVM, the file read with {@link RecordingFile}, then {@code jfr print}.
 */
@Timeout(120)
class JcmdRecordingTest {

  @TempDir Path dir;

  static Path jdkTool(String name) {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    return java.getParent().resolve(name);
  }

  static String run(int seconds, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out;
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", cmd) + " did not finish in " + seconds + " s");
    }
    out = p.getInputStream().readAllBytes();
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + text);
    return text;
  }

  @Test
  void jcmdRecordingHoldsListenQueueAndCounters() throws Exception {
    Path barrelFile = dir.resolve("child.barrel");
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        JfrTestServer.class.getName(), barrelFile.toString()));
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          synchronized (output) {
            output.append(l).append('\n');
          }
          lines.add(l);
        }
      } catch (IOException e) {
        // child gone
      }
    });
    reader.setDaemon(true);
    reader.start();
    List<Socket> clients = new ArrayList<>();
    try {
      String ready = null;
      long startDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (ready == null || !ready.startsWith("READY ")) { // skip JDK warnings
        long left = startDeadline - System.nanoTime();
        ready = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
        if (ready == null) {
          synchronized (output) {
            fail("child did not print READY: " + output);
          }
        }
      }
      String[] parts = ready.split(" ");
      assertEquals("true", parts[2], "JFR hooks active in the child");
      int port = Integer.parseInt(parts[1]);
      String addr = "127.0.0.1:" + port;
      for (int i = 0; i < 3; i++) {
        clients.add(new Socket("127.0.0.1", port));
      }
      // The child's watcher writes what it sees into the shared file: wait until it saw the three.
      try (Barrel view = Barrel.openReadOnly(barrelFile)) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (queued(view, addr) != 3) {
          assertTrue(System.nanoTime() < deadline, "watcher never saw 3 queued on " + addr);
          Thread.sleep(50);
        }
      }
      String pid = Long.toString(child.pid());
      String jcmd = jdkTool("jcmd").toString();
      Path jfc = Path.of(JcmdRecordingTest.class.getResource("/rainbarrel.jfc").toURI());
      run(60, jcmd, pid, "JFR.start", "name=rb", "settings=" + jfc);
      Thread.sleep(2500); // a few 1 s periods
      Path file = dir.resolve("rb.jfr");
      run(60, jcmd, pid, "JFR.dump", "name=rb", "filename=" + file);
      run(60, jcmd, pid, "JFR.stop", "name=rb");
      assertTrue(Files.size(file) > 0);

      List<RecordedEvent> events = RecordingFile.readAllEvents(file);
      RecordedEvent lq = null;
      RecordedEvent counters = null;
      RecordedEvent slots = null;
      for (RecordedEvent e : events) {
        String type = e.getEventType().getName();
        if (type.equals(ListenQueueEvent.NAME) && addr.equals(e.getString("address"))) {
          lq = e;
        } else if (type.equals(CountersEvent.NAME)) {
          counters = e;
        } else if (type.equals(AllocatorEvent.NAME) && "barrel_slots".equals(e.getString("name"))) {
          slots = e;
        }
      }
      assertNotNull(lq, "a rainbarrel.ListenQueue event for " + addr);
      assertEquals(3, lq.getLong("queued"));
      assertEquals(0, lq.getLong("active"));
      assertEquals(3, lq.getLong("queuedMax"));
      assertNotNull(counters, "a rainbarrel.Counters event");
      assertEquals(42, counters.getLong("requests"));
      assertEquals(40, counters.getLong("accepted"));
      assertEquals(2, counters.getLong("calling"));
      assertNotNull(slots, "a rainbarrel.Allocator event for barrel_slots");
      assertTrue(slots.getLong("used") >= 5);

      String printed = run(60, jdkTool("jfr").toString(), "print", "--events", ListenQueueEvent.NAME, file.toString());
      assertTrue(printed.contains(ListenQueueEvent.NAME), printed);
      assertTrue(printed.contains("\"" + addr + "\""), "jfr print names the listener:\n" + printed);
      assertTrue(printed.contains("queued = 3"), printed);
    } finally {
      for (Socket s : clients) {
        s.close();
      }
      try (PrintWriter w = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
        w.println("exit");
      } catch (RuntimeException e) {
        // already gone
      }
      if (!child.waitFor(10, TimeUnit.SECONDS)) {
        child.destroyForcibly();
        child.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  static long queued(Barrel view, String addr) throws IOException {
    for (BarrelEntry e : view.entries()) {
      if (e.name().equals(StandardNames.QUEUED) && e.label().equals(addr)) {
        return e.value();
      }
    }
    return -1;
  }
}
