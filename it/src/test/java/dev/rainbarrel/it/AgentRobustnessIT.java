package dev.rainbarrel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.it.apps.IdleApp;
import dev.rainbarrel.it.apps.JdkHttpApp;
import dev.rainbarrel.it.apps.Jetty12CoreApp;
import dev.rainbarrel.it.apps.OwnByteBuddyApp;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The agent never breaks its host: bad options, a failing recorder, dynamic attach. */
class AgentRobustnessIT {

  @TempDir Path tmp;

  /** Each bad option is one stderr line; the host starts, the good options still apply. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void badOptionsPrintOneLineEachAndTheHostStillServes(Jdk jdk) throws Exception {
    Path file = tmp.resolve("opts.barrel");
    String args = "interval=soon,bogus=1,file=" + file + ",jmx=maybe,noequals,http=99999";
    try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, args, List.of())) {
      for (int i = 0; i < 3; i++) {
        assertEquals(200, RawHttp.status(s.port(), "/ok"));
      }
      Counters c = new Counters(file);
      Map<String, Long> m = c.await(x -> x.getOrDefault("requests", 0L) >= 3, 10_000);
      assertEquals(3, m.get("requests"), "the good option file= applied and counting works: " + m);
      List<String> lines = s.agentLines();
      assertEquals(5, lines.size(), "one line per bad option: " + lines);
      assertTrue(lines.stream().anyMatch(l -> l.contains("interval") && l.contains("'soon'")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.contains("unknown option 'bogus'")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.contains("jmx") && l.contains("'maybe'")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.contains("'noequals'")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.contains("http") && l.contains("'99999'")), lines.toString());
    }
  }

  /** A recorder that throws: the host's requests all succeed, one line says counting is off. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void failingRecorderNeverReachesTheHost(Jdk jdk) throws Exception {
    Path file = tmp.resolve("fault.barrel");
    try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, "file=" + file,
        List.of("-Drainbarrel.test.faultInjection=recorder"))) {
      for (int i = 0; i < 5; i++) {
        assertEquals(200, RawHttp.status(s.port(), "/ok"), "request " + i);
      }
      assertEquals(404, RawHttp.status(s.port(), "/code?c=404"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (s.agentLines().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      List<String> lines = s.agentLines();
      assertEquals(1, lines.size(), "exactly one line: " + lines);
      assertTrue(lines.get(0).contains("recording failed") && lines.get(0).contains("injected fault"), lines.get(0));
      assertEquals(0, new Counters(file).get("requests"), "the failing path recorded nothing");
      assertTrue(s.isAlive());
    }
  }

  /** {@code attach <pid>} into a server started without the agent: counting starts from then on. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void dynamicAttachCountsFromThenOn(Jdk jdk) throws Exception {
    Path file = tmp.resolve("attach.barrel");
    try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, null, List.of())) {
      for (int i = 0; i < 2; i++) {
        assertEquals(200, RawHttp.status(s.port(), "/ok"), "before attach");
      }
      assertTrue(!Files.exists(file));
      attach(jdk, s, file);
      Map<String, Long> m = threeOkThenCounters(s, file, 3);
      assertEquals(3, m.get("requests"), "only requests after the attach: " + m);
      assertEquals(3, m.get("responses_2xx"), m.toString());
      assertTrue(m.get("accepted") >= 3, m.toString());
      assertEquals(0, m.get("calling"), m.toString());
      assertTrue(s.agentLines().isEmpty(), s.agentLines().toString());
    }
  }

  /**
   * Attach to a running Jetty 12 with a request inside its handler at that moment: the requests
   * after the attach are counted, the one that straddled it is not (and leaves no gauge up), and
   * the listener is discovered with no options. Jetty's request class is already loaded, so its
   * hooks (the request constructor's placement among them) arrive by retransformation.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void dynamicAttachToJetty12CountsFromThenOn(Jdk jdk) throws Exception {
    Path file = tmp.resolve("attach-jetty.barrel");
    try (ChildServer s = ChildServer.start(jdk, Jetty12CoreApp.class, null, List.of())) {
      for (int i = 0; i < 2; i++) {
        assertEquals(200, RawHttp.status(s.port(), "/ok"), "before attach");
      }
      try (RawHttp straddling = RawHttp.get(s.port(), "/hold")) {
        Thread.sleep(200); // let it reach the handler
        attach(jdk, s, file);
        assertEquals(200, RawHttp.status(s.port(), "/release"), "after attach: /release");
        assertEquals(200, straddling.readStatusAndDrain(), "the request held across the attach");
      }
      Map<String, Long> m = threeOkThenCounters(s, file, 4);
      assertEquals(4, m.get("requests"), "/release and 3 x /ok, not the held one: " + m);
      assertEquals(4, m.get("responses_2xx"), m.toString());
      assertEquals(0, m.get("calling"), m.toString());
      assertEquals(0, m.get("writing"), m.toString());
      String listener = "127.0.0.1:" + s.port();
      assertTrue(new Counters(file).awaitLabelled("queued", listener, 10_000),
          "the watcher discovered " + listener + " after the attach");
      assertTrue(s.agentLines().isEmpty(), s.agentLines().toString());
    }
  }

  /**
   * Three {@code GET /ok} after an attach, then the counters once {@code requests} reached {@code
   * expected} and had a moment to show a late extra count.
   */
  private static Map<String, Long> threeOkThenCounters(ChildServer s, Path file, long expected) throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, RawHttp.status(s.port(), "/ok"), "after attach");
    }
    Counters c = new Counters(file);
    c.await(x -> x.getOrDefault("requests", 0L) >= expected, 10_000);
    Thread.sleep(150);
    return c.read();
  }

  /** {@code rainbarrel attach <pid> file=...} as a user runs it; asserts that it loaded. */
  static void attach(Jdk jdk, ChildServer s, Path file) throws Exception {
    Process cli = new ProcessBuilder(jdk.java().toString(), "-jar", ChildServer.agentJar().toString(),
        "attach", Long.toString(s.pid()), "file=" + file).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    cli.getInputStream().transferTo(out);
    assertTrue(cli.waitFor(60, TimeUnit.SECONDS), "attach finished");
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, cli.exitValue(), "attach exit code; output: " + text);
    assertTrue(text.contains("loaded into process " + s.pid()), text);
  }

  /** An application with its own ByteBuddy version keeps using it, and is counted. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void applicationWithItsOwnByteBuddyStillWorks(Jdk jdk) throws Exception {
    Path file = tmp.resolve("bb.barrel");
    try (ChildServer s = ChildServer.start(jdk, OwnByteBuddyApp.class, "file=" + file, List.of())) {
      RawHttp.Answer answer = RawHttp.getAnswer(Transport.PLAIN, s.port(), "/ok");
      assertTrue(answer.head().startsWith("HTTP/1.1 200"), answer.toString());
      assertTrue(answer.body().contains("generated by byte-buddy-1.14.18.jar"), answer.toString());
      Map<String, Long> m = new Counters(file).await(x -> x.getOrDefault("requests", 0L) >= 1, 10_000);
      assertEquals(1, m.get("requests"), m.toString());
      assertTrue(s.agentLines().isEmpty(), s.agentLines().toString());
    }
  }

  /**
   * The agent's start must not initialise java.util.logging (containers such as WildFly install
   * their own LogManager later): the class-loading log, read once the agent has opened its Barrel
   * (premain and the start beside main), shows no LogManager. The same log shows every bridge class
   * coming from the bootstrap jar: premain runs before that jar is on the bootstrap class path,
   * and a class linked then would have made the application loader define its own copy of the
   * bridge, which the advice in the host's classes never reaches.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void premainLeavesJulAlone(Jdk jdk) throws Exception {
    Path file = tmp.resolve("jul.barrel");
    Path log = tmp.resolve("classes.log");
    try (ChildServer s = ChildServer.start(jdk, IdleApp.class, "file=" + file,
        List.of("-Xlog:class+load=info:file=" + log))) {
      // the Barrel is opened beside main (docs/AGENT.md, Start-up sequence): wait for it, bounded
      awaitFile(file, true, 20);
      assertTrue(Files.exists(file), "the agent started (it created its file)");
      String classes = Files.readString(log);
      assertTrue(classes.contains("dev.rainbarrel.bootstrap.Bridge"), "the log covers premain");
      assertTrue(!classes.contains("java.util.logging.LogManager "), "LogManager was loaded during premain");
      List<String> bridgeFromAgentJar = classes.lines()
          .filter(l -> l.contains(" dev.rainbarrel.bootstrap.") && l.contains("rainbarrel-agent.jar"))
          .toList();
      assertTrue(bridgeFromAgentJar.isEmpty(), "bridge classes defined by the application loader: " + bridgeFromAgentJar);
      assertTrue(s.agentLines().isEmpty(), s.agentLines().toString());
    }
  }

  /**
   * Without {@code file=} the agent writes the per-process file and removes it when the JVM exits,
   * as hsperfdata goes: the shutdown hook is registered by premain, before the bridge is in.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void perProcessFileIsRemovedAtExit(Jdk jdk) throws Exception {
    Path file;
    try (ChildServer s = ChildServer.start(jdk, IdleApp.class, "", List.of())) {
      file = dev.rainbarrel.shm.Barrel.defaultPath(s.pid());
      awaitFile(file, true, 20);
      assertTrue(Files.exists(file), "the agent created " + file);
      assertTrue(s.agentLines().isEmpty(), s.agentLines().toString());
    } // SIGTERM: shutdown hooks run
    assertTrue(!Files.exists(file), file + " is left behind after a normal exit");
  }

  /**
   * A JVM killed with SIGKILL runs no shutdown hook: its per-process file stays, and the next JVM
   * with the agent removes it (its owner is dead and holds no liveness lock). Its bridge jar was
   * never left: it is unlinked as soon as the JVM has it open, and the hooks' advice classes still
   * load from it afterwards (the requests are counted).
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void aKilledJvmsFileIsSweptByTheNextAgent(Jdk jdk) throws Exception {
    Path tmpdir = Files.createDirectory(tmp.resolve("java-tmp"));
    Path killed;
    try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, "", List.of("-Djava.io.tmpdir=" + tmpdir))) {
      killed = dev.rainbarrel.shm.Barrel.defaultPath(s.pid());
      awaitFile(killed, true, 20);
      for (int i = 0; i < 3; i++) {
        assertEquals(200, RawHttp.status(s.port(), "/ok"));
      }
      Map<String, Long> m = new Counters(killed).await(x -> x.getOrDefault("requests", 0L) >= 3, 10_000);
      assertEquals(3, m.get("requests"), "advice classes load from the unlinked bridge jar: " + m);
      try (var left = Files.list(tmpdir)) {
        assertEquals(List.of(), left.collect(java.util.stream.Collectors.toList()), "the bridge jar is unlinked at once");
      }
      s.kill9();
    }
    assertTrue(Files.exists(killed), "SIGKILL leaves " + killed);
    try (ChildServer next = ChildServer.start(jdk, IdleApp.class, "", List.of())) {
      awaitFile(killed, false, 60);
      assertTrue(!Files.exists(killed), "the next agent did not remove " + killed + "; its lines: " + next.agentLines());
      assertTrue(Files.exists(dev.rainbarrel.shm.Barrel.defaultPath(next.pid())), "and kept its own file");
      assertTrue(next.agentLines().isEmpty(), next.agentLines().toString());
    }
  }

  /**
   * The bridge jar cannot be written ({@code java.io.tmpdir} does not exist): one line naming the
   * directory, the agent stays off, and the host's server starts and answers.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void unusableTmpdirLeavesTheHostRunning(Jdk jdk) throws Exception {
    Path missing = tmp.resolve("no-such-dir");
    try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, "file=" + tmp.resolve("t.barrel"),
        List.of("-Djava.io.tmpdir=" + missing))) {
      assertEquals(200, RawHttp.status(s.port(), "/ok"));
      String line = onlyAgentLine(s);
      assertTrue(line.contains("agent not started") && line.contains("java.io.tmpdir") && line.contains(missing.toString()),
          line);
      assertTrue(!Files.exists(tmp.resolve("t.barrel")), "the agent stayed off");
      assertEquals(200, RawHttp.status(s.port(), "/ok"));
    }
  }

  /**
   * {@code file=} names a file that is not a Barrel (8 KiB of something else): one line naming it
   * and the reason, the file is left exactly as it was, and the agent counts in the per-process
   * default file instead, which goes at exit.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void foreignFileIsLeftAloneAndTheDefaultFileIsUsed(Jdk jdk) throws Exception {
    Path foreign = tmp.resolve("foreign.barrel");
    byte[] content = new byte[8192];
    new java.util.Random(3).nextBytes(content);
    Files.write(foreign, content);
    Path fallback;
    try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, "file=" + foreign, List.of())) {
      fallback = dev.rainbarrel.shm.Barrel.defaultPath(s.pid());
      assertEquals(200, RawHttp.status(s.port(), "/ok"));
      Map<String, Long> m = new Counters(fallback).await(x -> x.getOrDefault("requests", 0L) >= 1, 10_000);
      assertEquals(1, m.get("requests"), "counted in " + fallback + ": " + m);
      String line = onlyAgentLine(s);
      assertTrue(line.contains("cannot open " + foreign) && line.contains("using " + fallback), line);
    }
    assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(foreign)), "the foreign file was changed");
    assertTrue(!Files.exists(fallback), fallback + " is left behind after a normal exit");
  }

  /** A second load (attach into a JVM that has the agent) says so in one line and changes nothing. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void secondLoadIsRefusedInOneLine(Jdk jdk) throws Exception {
    Path file = tmp.resolve("twice.barrel");
    try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, "file=" + file, List.of())) {
      assertEquals(200, RawHttp.status(s.port(), "/ok"));
      Process cli = new ProcessBuilder(jdk.java().toString(), "-jar", ChildServer.agentJar().toString(),
          "attach", Long.toString(s.pid()), "file=" + tmp.resolve("other.barrel")).redirectErrorStream(true).start();
      cli.getInputStream().transferTo(new ByteArrayOutputStream());
      assertTrue(cli.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, cli.exitValue());
      String line = onlyAgentLine(s);
      assertTrue(line.contains("already active"), line);
      assertEquals(200, RawHttp.status(s.port(), "/ok"));
      Map<String, Long> m = new Counters(file).await(x -> x.getOrDefault("requests", 0L) >= 2, 10_000);
      assertEquals(2, m.get("requests"), "each request counted once, in the first file: " + m);
      assertTrue(!Files.exists(tmp.resolve("other.barrel")), "the second load created nothing");
    }
  }

  /**
   * {@code -javaagent} given twice: both premains start a background thread, both put the bridge
   * on the bootstrap class path at about the same time; one of them records, the other says so in
   * one line and creates no file, and every request is counted once.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void agentGivenTwiceRecordsOnce(Jdk jdk) throws Exception {
    Path file = tmp.resolve("double.barrel");
    try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, "file=" + file,
        List.of("-javaagent:" + ChildServer.agentJar() + "=file=" + tmp.resolve("second.barrel")))) {
      assertEquals(200, RawHttp.status(s.port(), "/ok"));
      assertEquals(200, RawHttp.status(s.port(), "/ok"));
      String line = onlyAgentLine(s);
      assertTrue(line.contains("already active"), line);
      // which of the two loads records is a race; the other one's file holds nothing
      Path second = tmp.resolve("second.barrel");
      long first = 0;
      long other = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (first + other < 2 && System.nanoTime() < deadline) {
        first = requests(file);
        other = requests(second);
        Thread.sleep(20);
      }
      assertEquals(2, first + other, "each request counted once: " + first + " in " + file + ", " + other + " in " + second);
      assertTrue(Files.exists(file) != Files.exists(second), "the second load created nothing: " + Files.exists(file)
          + ", " + Files.exists(second));
    }
  }

  /** Waits (at most {@code seconds}) until {@code file} exists, or no longer exists; the caller asserts. */
  private static void awaitFile(Path file, boolean exists, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (Files.exists(file) != exists && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** Waits (at most 10 s) for the agent's first stderr line and checks it is the only one. */
  private static String onlyAgentLine(ChildServer s) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (s.agentLines().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(1, s.agentLines().size(), s.agentLines().toString());
    return s.agentLines().get(0);
  }

  private static long requests(Path barrel) throws Exception {
    return Files.exists(barrel) ? new Counters(barrel).await(x -> true, 1_000).getOrDefault("requests", 0L) : 0;
  }

  /** attach to a process that does not exist: exit code 1 and one line naming it. */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void attachToMissingProcessFailsClearly(Jdk jdk) throws Exception {
    Process cli = new ProcessBuilder(jdk.java().toString(), "-jar", ChildServer.agentJar().toString(),
        "attach", "999999999").start();
    String err = new String(cli.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(cli.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, cli.exitValue(), err);
    assertTrue(err.startsWith("rainbarrel: ") && err.contains("999999999") && !err.contains("\n"), err);
  }
}
