package dev.rainbarrel.cli;

import dev.rainbarrel.shm.Barrel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves the {@code <pid|file>} argument of the commands to a Barrel file. */
final class BarrelTarget {
  private BarrelTarget() {}

  /**
   * A number is a pid, looked up as its default file; anything else is a path.
   *
   * @throws Main.UsageException for an empty argument
   * @throws IllegalStateException when no file exists for it (a failure, exit 1)
   */
  static Path resolve(String target) {
    if (target == null || target.isBlank()) {
      throw new Main.UsageException("expected a pid or a barrel file path");
    }
    if (target.chars().allMatch(Character::isDigit)) {
      long pid;
      try {
        pid = Long.parseLong(target);
      } catch (NumberFormatException e) {
        throw new Main.UsageException("not a valid pid: " + target);
      }
      Path p = Barrel.defaultPath(pid);
      if (!Files.exists(p)) {
        String alive = ProcessHandle.of(pid).map(h -> h.isAlive() ? "running" : "gone").orElse("not running");
        throw new IllegalStateException("no rainbarrel file for pid " + pid + " (process " + alive
            + "; looked for " + p + ")");
      }
      return p;
    }
    Path p = Path.of(target);
    if (!Files.exists(p)) {
      throw new IllegalStateException("no such file: " + p);
    }
    return p;
  }
}
