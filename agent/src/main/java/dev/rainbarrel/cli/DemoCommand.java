package dev.rainbarrel.cli;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelEntry;
import dev.rainbarrel.shm.SecureFiles;
import java.io.File;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code demo [--seconds N]}: the README's main job. Starts two worker JVMs from {@code
 * examples/} that count into one shared Barrel file and prints what they do, live, from this
 * third process; then stops them and removes the file.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Show counters moving between processes through one shared-memory file.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--seconds", paramLabel = "N", description = "how long to run (default: ${DEFAULT-VALUE})")
  int seconds = 20;

  @Option(names = "--examples-jar", paramLabel = "JAR", description = "the examples jar (default: found beside this jar's build)")
  Path examplesJar;

  @Override
  public Integer call() throws Exception {
    if (seconds < 1 || seconds > 3600) {
      throw new Main.UsageException("--seconds must be in [1, 3600]: " + seconds);
    }
    Path self = selfJar();
    Path examples = examplesJar != null ? examplesJar : self.getParent().resolve("../../examples/target/rainbarrel-examples.jar").normalize();
    if (!Files.isRegularFile(examples)) {
      throw new IllegalStateException("examples jar not found at " + examples + " (build with: mvn -B package -DskipTests)");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path dir = SecureFiles.defaultDirectory();
    SecureFiles.ensurePrivateDirectory(dir);
    Path file = dir.resolve("demo-" + ProcessHandle.current().pid() + ".barrel");
    List<Process> workers = new ArrayList<>();
    String java = ProcessHandle.current().info().command().orElse("java");
    try {
      for (int i = 0; i < 2; i++) {
        workers.add(new ProcessBuilder(java, "-Xmx32m", "-cp", self + File.pathSeparator + examples,
            "dev.rainbarrel.examples.SharedCounters", file.toString(), Integer.toString(seconds))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
      }
      out.printf("demo: 2 worker JVMs (pids %d, %d) count into %s%n", workers.get(0).pid(), workers.get(1).pid(), file);
      out.println("demo: each worker holds 'calling' while it handles a request and adds to 'requests' after");
      out.printf("%6s %10s %8s %8s%n", "time", "requests", "calling", "owners");
      out.flush();
      long start = System.nanoTime();
      for (int t = 1; t <= seconds; t++) {
        long next = start + TimeUnit.SECONDS.toNanos(t);
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(sleep);
        }
        if (!Files.exists(file)) {
          out.printf("%5ds %10s%n", t, "(workers starting)");
          out.flush();
          continue;
        }
        try (Barrel b = Barrel.openReadOnly(file)) {
          long requests = 0;
          long calling = 0;
          int owners = 0;
          for (BarrelEntry e : b.entries()) {
            if (e.name().equals("requests")) {
              requests = e.value();
            } else if (e.name().equals("calling")) {
              calling = e.value();
              owners = e.owners();
            }
          }
          out.printf("%5ds %10d %8d %8d%n", t, requests, calling, owners);
        } catch (java.io.IOException e) {
          out.printf("%5ds %10s%n", t, "(" + e.getMessage() + ")");
        }
        out.flush();
      }
      for (Process p : workers) {
        p.waitFor(10, TimeUnit.SECONDS);
      }
      try (Barrel b = Barrel.openReadOnly(file)) {
        long requests = b.entries().stream().filter(e -> e.name().equals("requests")).mapToLong(BarrelEntry::value).sum();
        out.printf("demo: done; the file kept requests=%d after both workers exited%n", requests);
      }
      return 0;
    } finally {
      for (Process p : workers) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(file);
    }
  }

  static Path selfJar() throws URISyntaxException {
    return Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
