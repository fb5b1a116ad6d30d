package dev.rainbarrel.cli;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.SecureFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code demo [--seconds N]}: the README's main job. Starts {@code examples/}'s unmodified
 * {@code DemoServer} (JDK HttpServer, one thread that accepts and handles) in a child JVM with
 * the agent, drives plain, streaming, slow and failing requests plus bursts of connections that
 * queue behind the slow ones, and prints what the agent sees every second, read from the shared
 * file like {@code stat} does. Cleans up its child and file on exit.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run an unmodified example server with the agent, drive traffic, and watch it live.")
final class DemoCommand implements java.util.concurrent.Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--seconds", paramLabel = "N", description = "how long to run (default: ${DEFAULT-VALUE})")
  int seconds = 20;

  @Option(names = "--java", paramLabel = "PATH",
      description = "java for the server (default: a JDK 22+ under /usr/lib/jvm if any, for accept_wait; else this one)")
  Path java;

  @Option(names = "--examples-jar", paramLabel = "JAR", description = "the examples jar (default: found beside this jar's build)")
  Path examplesJar;

  @Override
  public Integer call() throws Exception {
    if (seconds < 3 || seconds > 3600) {
      throw new Main.UsageException("--seconds must be in [3, 3600]: " + seconds);
    }
    Path self = selfJar();
    Path examples = examplesJar != null ? examplesJar
        : self.getParent().resolve("../../examples/target/rainbarrel-examples.jar").normalize();
    if (!Files.isRegularFile(examples)) {
      throw new IllegalStateException("examples jar not found at " + examples + " (build with: mvn -B package -DskipTests)");
    }
    String javaBin = java != null ? java.toString() : serverJava();
    PrintWriter out = spec.commandLine().getOut();
    Path dir = SecureFiles.defaultDirectory();
    SecureFiles.ensurePrivateDirectory(dir);
    Path file = dir.resolve("demo-" + ProcessHandle.current().pid() + ".barrel");
    Files.deleteIfExists(file);
    List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx64m"));
    if (feature(javaBin) >= 22) {
      cmd.add("--enable-native-access=ALL-UNNAMED"); // the agent's FFM calls, without the JDK's warning
    }
    cmd.addAll(List.of(
        "-javaagent:" + self + "=file=" + file + ",interval=250ms,deferAccept=1",
        "-cp", examples.toString(), "dev.rainbarrel.examples.DemoServer", "0"));
    Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> drivers = new ArrayList<>();
    try {
      int port = awaitPort(server, out);
      out.printf("demo: unmodified DemoServer (pid %d, %s) on 127.0.0.1:%d with the agent; file %s%n",
          server.pid(), javaBin, port, file);
      out.println("demo: traffic: quick requests, a 1 s stream every 5 s (writing), a 1.5 s slow request every 4 s"
          + " with 6 connections queued behind it (queued), a failing request every 3 s (errors)");
      drivers.add(driver("quick", running, () -> { request(port, "/"); pause(50); }));
      drivers.add(driver("stream", running, () -> { pause(5000); request(port, "/stream?chunks=10&ms=100"); }));
      drivers.add(driver("slow", running, () -> { pause(4000); slowWithQueue(port, 6); }));
      drivers.add(driver("fail", running, () -> { pause(3000); request(port, "/fail"); }));
      out.printf("%5s %7s %7s %8s %8s %5s %5s %7s %7s %7s  %s%n", "time", "calling", "writing", "requests",
          "accepted", "2xx", "errors", "active", "queued", "backlog", "accept_wait ms (count p50 p99)");
      long start = System.nanoTime();
      for (int t = 1; t <= seconds; t++) {
        long sleep = start + TimeUnit.SECONDS.toNanos(t) - System.nanoTime();
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(sleep);
        }
        if (!server.isAlive()) {
          throw new IllegalStateException("the demo server exited with " + server.exitValue());
        }
        out.println(line(t, file, port));
        out.flush();
      }
      out.println("demo: done. Try it yourself: java -jar " + self + " stat <pid> while a server runs with -javaagent:" + self);
      return 0;
    } finally {
      running.set(false);
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
        server.waitFor(10, TimeUnit.SECONDS);
      }
      for (Thread d : drivers) {
        d.join(5000);
      }
      Files.deleteIfExists(file);
    }
  }

  private static String line(int t, Path file, int port) {
    if (!Files.exists(file)) {
      return String.format("%4ds  (waiting for the agent's file)", t);
    }
    try (Barrel b = Barrel.openReadOnly(file)) {
      StatReport r = StatReport.of(b);
      Map<String, Long> c = r.counters();
      Map<String, Long> l = r.listeners().getOrDefault("127.0.0.1:" + port, Map.of());
      Map<String, Object> aw = r.histograms().getOrDefault("accept_wait", Map.of());
      String acceptWait = aw.isEmpty() ? "(none yet)" : aw.get("count") + " " + aw.get("p50") + " " + aw.get("p99");
      Long backlog = l.get("backlog"); // none where /proc is the source (JDK 17-21): unknown
      return String.format("%4ds %7d %7d %8d %8d %5d %5d %7d %7d %7s  %s", t, c.getOrDefault("calling", 0L),
          c.getOrDefault("writing", 0L), c.getOrDefault("requests", 0L), c.getOrDefault("accepted", 0L),
          c.getOrDefault("responses_2xx", 0L), c.getOrDefault("errors", 0L),
          l.getOrDefault("active", 0L), l.getOrDefault("queued", 0L), backlog == null ? "?" : backlog.toString(), acceptWait);
    } catch (IOException | RuntimeException e) {
      return String.format("%4ds  (%s)", t, e.getMessage());
    }
  }

  private static int awaitPort(Process server, PrintWriter out) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String line;
    while (System.nanoTime() < deadline && (line = r.readLine()) != null) {
      if (line.startsWith("listening on 127.0.0.1:")) {
        Thread drain = new Thread(() -> {
          try (r) {
            String l;
            while ((l = r.readLine()) != null) {
              // the server's own output (and any agent line) is not the demo's
            }
          } catch (IOException ignored) {
            // server gone
          }
        }, "demo-server-output");
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
      }
      if (line.startsWith("rainbarrel")) { // the agent's own lines; JVM warnings are not the demo's
        out.println("server: " + line);
        out.flush();
      }
    }
    throw new IllegalStateException("the demo server did not start within 60 s");
  }

  /** One slow request, then {@code n} connections that the busy single-threaded server cannot accept yet. */
  private static void slowWithQueue(int port, int n) throws IOException {
    List<Socket> queued = new ArrayList<>();
    try (Socket slow = send(port, "/slow?ms=1500")) {
      pause(100);
      for (int i = 0; i < n; i++) {
        queued.add(send(port, "/"));
      }
      drain(slow);
      for (Socket s : queued) {
        drain(s);
      }
    } finally {
      for (Socket s : queued) {
        s.close();
      }
    }
  }

  private static void request(int port, String path) throws IOException {
    try (Socket s = send(port, path)) {
      drain(s);
    }
  }

  private static Socket send(int port, String path) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
    s.setSoTimeout(15_000);
    OutputStream o = s.getOutputStream();
    o.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    o.flush();
    return s;
  }

  private static void drain(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    while (in.read(buf) >= 0) {
      // read to the end: the server closes after the response
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static Thread driver(String name, AtomicBoolean running, Step step) {
    Thread t = new Thread(() -> {
      while (running.get()) {
        try {
          step.run();
        } catch (Exception e) {
          pause(100); // the server may be busy or gone; the next round tries again
        }
      }
    }, "demo-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The newest JDK 22+ under /usr/lib/jvm (accept_wait needs TCP_INFO via FFM), else this JVM's java. */
  static String serverJava() {
    String current = ProcessHandle.current().info().command().orElse("java");
    if (Runtime.version().feature() >= 22) {
      return current;
    }
    try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
      return jdks.filter(p -> Files.isExecutable(p.resolve("bin/java")) && feature(p) >= 22)
          .max(Comparator.comparingInt(DemoCommand::feature))
          .map(p -> p.resolve("bin/java").toString())
          .orElse(current);
    } catch (IOException e) {
      return current;
    }
  }

  private static int feature(String javaBin) {
    Path bin = Path.of(javaBin).toAbsolutePath().getParent();
    return bin == null || bin.getParent() == null ? Runtime.version().feature() : feature(bin.getParent());
  }

  private static int feature(Path jdk) {
    try {
      for (String l : Files.readAllLines(jdk.resolve("release"))) {
        if (l.startsWith("JAVA_VERSION=")) {
          String v = l.substring("JAVA_VERSION=".length()).replace("\"", "");
          return Integer.parseInt(v.split("[.+-]")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not a JDK we can read
    }
    return 0;
  }

  static Path selfJar() throws URISyntaxException {
    return Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
