package dev.rainbarrel.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test main class with the same java binary and class path as the test,
 * its output readable line by line with bounded waits. Always close it (destroys the process).
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder all = new StringBuilder();

  private ChildJvm(Process process) {
    this.process = process;
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (all) {
            all.append(line).append('\n');
          }
          lines.add(line);
        }
      } catch (IOException ignored) {
        // process gone
      }
    }, "child-output-" + process.pid());
    t.setDaemon(true);
    t.start();
  }

  /** Starts {@code mainClass} with {@code args} in a new JVM (stderr merged into stdout). */
  public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx64m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
  }

  /** Waits for a line equal to {@code expected}; fails with the child's output after the timeout. */
  public void awaitLine(String expected, long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
      if (line == null) {
        throw new AssertionError("child " + process.pid() + " did not print '" + expected + "' within "
            + timeoutSeconds + " s; alive=" + process.isAlive() + "; output:\n" + output());
      }
      if (line.equals(expected)) {
        return;
      }
    }
  }

  /** Waits for exit and returns the exit code; fails if it takes longer than the timeout. */
  public int waitFor(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + process.pid() + " still running after " + timeoutSeconds + " s; output:\n" + output());
    }
    return process.exitValue();
  }

  /** Kills the child with SIGKILL and waits for it to be reaped. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + process.pid() + " survived SIGKILL");
    }
  }

  public long pid() {
    return process.pid();
  }

  public String output() {
    synchronized (all) {
      return all.toString();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
