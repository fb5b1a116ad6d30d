package dev.rainbarrel.http;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * External programs some tests drive (installed by scripts/ensure-tools.sh). Missing under CI
 * ({@code CI=true}): the test fails; elsewhere it is skipped with a message saying what to install.
 */
final class ExternalTool {
  private ExternalTool() {}

  static void require(String program, String debianPackage) {
    if (onPath(program)) {
      return;
    }
    String msg = program + " is missing: install the Debian package '" + debianPackage
        + "' (scripts/ensure-tools.sh does it as root)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(msg);
    }
    Assumptions.assumeTrue(false, msg);
  }

  static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (new File(dir, program).canExecute()) {
        return true;
      }
    }
    return false;
  }

  /** Result of a finished program. */
  record Run(int exit, String output) {}

  /** Runs {@code cmd} with {@code stdin}, stderr merged into the output, bounded by {@code seconds}. */
  static Run run(List<String> cmd, byte[] stdin, int seconds) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Thread feeder = new Thread(() -> {
      try (var os = p.getOutputStream()) {
        if (stdin != null) {
          os.write(stdin);
        }
      } catch (java.io.IOException ignored) {
        // the program exited early; its output says why
      }
    });
    feeder.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try {
        p.getInputStream().transferTo(out);
      } catch (java.io.IOException ignored) {
        // process ended
      }
    });
    reader.start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(cmd + " did not finish within " + seconds + " s");
    }
    reader.join(5000);
    feeder.join(5000);
    return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8));
  }
}
