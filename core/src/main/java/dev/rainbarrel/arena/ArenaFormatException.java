package dev.rainbarrel.arena;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An arena file that cannot be used: truncated, zero-filled, foreign (wrong magic), written by a
 * newer format version, or with header fields that contradict each other. The message always
 * names the file and the problem; nothing is mapped or modified when this is thrown.
 */
public final class ArenaFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  /** The file that was rejected. */
  private final transient Path file;

  ArenaFormatException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  /** The rejected file. */
  public Path file() {
    return file;
  }
}
