package dev.rainbarrel.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A server main class from this module's test class path in a child JVM, optionally with the
 * agent. Waits (bounded) for its {@code PORT <n>} line; keeps stderr for assertions; kills the
 * process on close.
 */
public final class ChildServer implements AutoCloseable {

  private final Process process;
  private final int port;
  private final List<String> errRef;

  private ChildServer(Process process, int port, List<String> err) {
    this.process = process;
    this.port = port;
    this.errRef = err;
  }

  /** The shaded agent jar under test. */
  public static Path agentJar() {
    Path p = Path.of(System.getProperty("rainbarrel.agent.jar", "../agent/target/rainbarrel-agent.jar"));
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("agent jar not built: " + p.toAbsolutePath());
    }
    return p.toAbsolutePath().normalize();
  }

  /** This JVM's class path without the agent jar (the child gets it through -javaagent only). */
  static String childClassPath() {
    String sep = System.getProperty("path.separator");
    return List.of(System.getProperty("java.class.path").split(sep)).stream()
        .filter(e -> !e.contains("rainbarrel-agent") && !e.endsWith("agent/target/classes"))
        .collect(Collectors.joining(sep));
  }

  /**
   * Starts {@code mainClass} on {@code jdk}.
   *
   * @param agentArgs the -javaagent option string, or null for no agent
   * @param jvmArgs extra JVM options (before the main class)
   */
  public static ChildServer start(Jdk jdk, Class<?> mainClass, String agentArgs, List<String> jvmArgs)
      throws IOException, InterruptedException {
    return start(jdk, mainClass.getName(), childClassPath(), agentArgs, jvmArgs);
  }

  /** Starts {@code mainClass} with an explicit class path (isolated servers). */
  public static ChildServer start(Jdk jdk, String mainClass, String classPath, String agentArgs, List<String> jvmArgs)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(jdk.java().toString());
    cmd.add("-Xshare:auto");
    cmd.add("-XX:TieredStopAtLevel=1"); // the tests are short: faster startup on 2 cores
    if (agentArgs != null) {
      cmd.add("-javaagent:" + agentJar() + (agentArgs.isEmpty() ? "" : "=" + agentArgs));
    }
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Process p = pb.start();
    BlockingQueue<Integer> portQueue = new ArrayBlockingQueue<>(1);
    List<String> out = new ArrayList<>();
    List<String> err = new ArrayList<>();
    Thread o = new Thread(() -> pump(p, true, out, portQueue), "child-stdout");
    Thread e = new Thread(() -> pump(p, false, err, null), "child-stderr");
    o.setDaemon(true);
    e.setDaemon(true);
    o.start();
    e.start();
    Integer port = portQueue.poll(60, TimeUnit.SECONDS);
    if (port == null || port < 0) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      e.join(2000);
      synchronized (err) {
        throw new IllegalStateException(mainClass + " on " + jdk
            + " did not print its port within 60 s; stderr: " + String.join(" | ", err) + "; command: " + cmd);
      }
    }
    return new ChildServer(p, port, err);
  }

  private static void pump(Process p, boolean isOut, List<String> sink, BlockingQueue<Integer> port) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        isOut ? p.getInputStream() : p.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        synchronized (sink) {
          sink.add(line);
        }
        if (port != null && line.startsWith("PORT ")) {
          port.offer(Integer.parseInt(line.substring(5).trim()));
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // process gone
    } finally {
      if (port != null) {
        port.offer(-1);
      }
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** The child's stderr lines so far. */
  public List<String> stderr() {
    synchronized (errRef) {
      return List.copyOf(errRef);
    }
  }

  /** The child's stderr lines that come from the agent ({@code rainbarrel:} prefix). */
  public List<String> agentLines() {
    return stderr().stream().filter(l -> l.startsWith("rainbarrel:")).collect(Collectors.toList());
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the child with SIGKILL (no shutdown hook runs) and waits, at most 30 s, for it to go. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("child " + process.pid() + " survived SIGKILL for 30 s");
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
