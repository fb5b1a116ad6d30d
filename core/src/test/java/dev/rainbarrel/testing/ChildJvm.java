package dev.rainbarrel.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Test support: a child JVM running the same java and class path as the test, with its stdout as lines. */
public final class ChildJvm implements AutoCloseable {

  public final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder all = new StringBuilder();
  private final Path stderr;

  public ChildJvm(Path stderr, List<String> props, Class<?> main, String... args) throws IOException {
    this.stderr = stderr;
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx64m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.addAll(props);
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          synchronized (all) {
            all.append(l).append('\n');
          }
          lines.add(l);
        }
      } catch (IOException ignored) {
        // the child died: nothing more to read
      }
    }, "child-stdout-" + process.pid());
    t.setDaemon(true);
    t.start();
  }

  /** Waits (bounded) for a line starting with {@code prefix} and returns it. */
  public String await(String prefix, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      String l = lines.poll(100, TimeUnit.MILLISECONDS);
      if (l != null && l.startsWith(prefix)) {
        return l;
      }
      if (l == null && !process.isAlive() && lines.isEmpty()) {
        Thread.sleep(200); // let the reader drain the last lines
        if (lines.isEmpty()) {
          throw new AssertionError("child " + process.pid() + " exited with " + process.exitValue()
              + " before printing '" + prefix + "'; output:\n" + output() + "\nstderr:\n" + stderrText());
        }
      }
    }
    throw new AssertionError("child " + process.pid() + " did not print '" + prefix + "' within "
        + seconds + " s; alive=" + process.isAlive() + "; output:\n" + output() + "\nstderr:\n" + stderrText());
  }

  public String stderrText() {
    try {
      return java.nio.file.Files.readString(stderr);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  public String output() {
    synchronized (all) {
      return all.toString();
    }
  }

  /** kill -9, then wait (bounded) until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + process.pid() + " survived kill -9 for 20 s");
    }
  }

  public int exitCode(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + process.pid() + " did not exit within " + seconds + " s");
    }
    return process.exitValue();
  }

  /** Destroys the child (kill -9) and waits, bounded, until it is gone. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
