package dev.rainbarrel.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test main class with the same java binary and class path as the test,
 * its stdout readable line by line with bounded waits. Always close it (destroys the process).
 */
public final class ChildJvm implements AutoCloseable {
  /** The child process. */
  public final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder all = new StringBuilder();
  private final Path stderr; // null when stderr is merged into stdout

  /** Starts {@code main} with extra JVM {@code props}, stderr written to the {@code stderr} file. */
  public ChildJvm(Path stderr, List<String> props, Class<?> main, String... args) throws IOException {
    this(command(props, main, args), stderr);
  }

  private ChildJvm(List<String> cmd, Path stderr) throws IOException {
    this.stderr = stderr;
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (stderr == null) {
      pb.redirectErrorStream(true);
    } else {
      pb.redirectError(stderr.toFile());
    }
    process = pb.start();
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
        // the child died: nothing more to read
      }
    }, "child-stdout-" + process.pid());
    t.setDaemon(true);
    t.start();
  }

  /** Starts {@code mainClass} with {@code args} in a new JVM (stderr merged into stdout). */
  public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
    return new ChildJvm(command(List.of("-XX:+UseSerialGC"), mainClass, args), null);
  }

  private static List<String> command(List<String> props, Class<?> main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.add("-Xmx64m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.addAll(props);
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Waits for a line equal to {@code expected}; fails with the child's output after the timeout. */
  public void awaitLine(String expected, long timeoutSeconds) throws InterruptedException {
    awaitMatching(expected::equals, "'" + expected + "'", timeoutSeconds);
  }

  /** Waits (bounded) for a line starting with {@code prefix} and returns it. */
  public String await(String prefix, long seconds) throws InterruptedException {
    return awaitMatching(l -> l.startsWith(prefix), "a line starting '" + prefix + "'", seconds);
  }

  private String awaitMatching(java.util.function.Predicate<String> wanted, String prefix, long seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      String l = lines.poll(100, TimeUnit.MILLISECONDS);
      if (l != null && wanted.test(l)) {
        return l;
      }
      if (l == null && !process.isAlive() && lines.isEmpty()) {
        Thread.sleep(200); // let the reader drain the last lines
        if (lines.isEmpty()) {
          throw new AssertionError("child " + process.pid() + " exited with " + process.exitValue()
              + " before printing " + prefix + "; output:\n" + output() + "\nstderr:\n" + stderrText());
        }
      }
    }
    throw new AssertionError("child " + process.pid() + " did not print " + prefix + " within "
        + seconds + " s; alive=" + process.isAlive() + "; output:\n" + output() + "\nstderr:\n" + stderrText());
  }

  /** Waits for exit and returns the exit code; fails if it takes longer than the timeout. */
  public int waitFor(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + process.pid() + " still running after " + timeoutSeconds
          + " s; output:\n" + output());
    }
    return process.exitValue();
  }

  /** Same as {@link #waitFor}. */
  public int exitCode(long seconds) throws InterruptedException {
    return waitFor(seconds);
  }

  /** Kills the child with SIGKILL and waits (bounded) for it to be reaped. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + process.pid() + " survived SIGKILL for 30 s");
    }
  }

  /** Same as {@link #kill9}. */
  public void kill() throws InterruptedException {
    kill9();
  }

  public long pid() {
    return process.pid();
  }

  public String output() {
    synchronized (all) {
      return all.toString();
    }
  }

  public String stderrText() {
    if (stderr == null) {
      return "(merged into stdout)";
    }
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
