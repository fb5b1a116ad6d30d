package dev.rainbarrel.cli;

import dev.rainbarrel.shm.Barrel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code stat <pid|file> [--json] [--watch SECONDS] [--count N]}: every figure of one file. */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Print every counter, listener, histogram and allocator of one rainbarrel file.")
final class StatCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "<pid|file>", description = "a JVM's pid (its default file) or a file path")
  String target;

  @Option(names = "--json", description = "print one JSON object (one per line with --watch)")
  boolean json;

  @Option(names = "--watch", paramLabel = "SECONDS", description = "repeat every SECONDS until interrupted")
  Double watch;

  @Option(names = "--count", paramLabel = "N", description = "with --watch: stop after N reports")
  Integer count;

  @Override
  public Integer call() throws Exception {
    if (watch != null && !(watch > 0 && watch <= 86_400)) {
      throw new Main.UsageException("--watch must be a number of seconds in (0, 86400]: " + watch);
    }
    if (count != null && count < 1) {
      throw new Main.UsageException("--count must be at least 1: " + count);
    }
    Path file = BarrelTarget.resolve(target);
    PrintWriter out = spec.commandLine().getOut();
    try (Barrel barrel = Barrel.openReadOnly(file)) {
      int rounds = watch == null ? 1 : (count == null ? Integer.MAX_VALUE : count);
      for (int i = 0; i < rounds; i++) {
        if (i > 0) {
          Thread.sleep((long) (watch * 1000));
        }
        StatReport r = StatReport.of(barrel);
        if (json) {
          out.println(r.toJson());
        } else {
          if (watch != null) {
            out.println("--- " + Instant.now());
          }
          out.print(r.toText());
        }
        out.flush();
      }
    }
    return 0;
  }
}
