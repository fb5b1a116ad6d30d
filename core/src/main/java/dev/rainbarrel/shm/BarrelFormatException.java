package dev.rainbarrel.shm;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not a usable Barrel: truncated, foreign, newer, or never initialised. */
public final class BarrelFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public BarrelFormatException(Path file, String problem) {
    super(file + ": " + problem);
  }
}
