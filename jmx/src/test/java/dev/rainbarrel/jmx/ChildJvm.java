package dev.rainbarrel.jmx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child JVM (same java, same class path) whose stdout lines can be awaited with a timeout. */
final class ChildJvm implements AutoCloseable {
  final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder all = new StringBuilder();
  private final PrintWriter stdin;

  ChildJvm(List<String> jvmArgs, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (all) {
            all.append(line).append('\n');
          }
          lines.add(line);
        }
      } catch (IOException e) {
        // child gone
      }
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** The next output line starting with {@code prefix}, waiting at most {@code seconds}. */
  String await(String prefix, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      long left = deadline - System.nanoTime();
      String l = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (l == null) {
        throw new AssertionError("child printed no '" + prefix + "' within " + seconds + " s; output:\n" + output()
            + (process.isAlive() ? "" : "\n(exit " + process.exitValue() + ")"));
      }
      if (l.startsWith(prefix)) {
        return l;
      }
    }
  }

  void send(String line) {
    stdin.println(line);
  }

  String output() {
    synchronized (all) {
      return all.toString();
    }
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() throws InterruptedException {
    stdin.println("exit");
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
