package dev.rainbarrel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's main job, exactly as a newcomer runs it: {@code java -jar rainbarrel-agent.jar demo}. */
class DemoIT {

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void demoRunsTheServerWithTheAgentShowsTrafficAndCleansUp() throws Exception {
    Process p = new ProcessBuilder(Jdk.JDK17.java().toString(), "-jar", ChildServer.agentJar().toString(),
        "demo", "--seconds", "9").redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "demo did not exit");
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), text);
    List<String> rows = text.lines().filter(l -> l.matches("\\s*\\d+s\\s+\\d+.*")).toList();
    assertEquals(9, rows.size(), "one row per second:\n" + text);
    long firstRequests = Long.parseLong(rows.get(0).trim().split("\\s+")[3]);
    long lastRequests = Long.parseLong(rows.get(8).trim().split("\\s+")[3]);
    assertTrue(lastRequests > firstRequests && lastRequests >= 20, "requests moved:\n" + text);
    long maxQueued = rows.stream().mapToLong(r -> Long.parseLong(r.trim().split("\\s+")[8])).max().orElse(0);
    assertTrue(maxQueued >= 1, "connections queued behind the slow request at least once:\n" + text);
    assertTrue(text.contains("demo: done"), text);
    // The demo's file is gone and no server is left behind.
    String file = text.lines().filter(l -> l.contains("; file ")).findFirst().orElseThrow();
    assertFalse(Files.exists(java.nio.file.Path.of(file.substring(file.indexOf("; file ") + 7).trim())), file);
  }
}
