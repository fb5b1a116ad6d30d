package dev.rainbarrel.bench;

import dev.rainbarrel.arena.Arena;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The arena a benchmark iteration uses: {@code memory} {@code anon} (direct memory) or {@code shm}
 * (a file in /dev/shm, removed again by {@link #close}); {@code regions} {@code on} (the default
 * thread regions) or {@code off}.
 */
final class BenchArena implements AutoCloseable {
  final Arena arena;
  private final Path file;

  BenchArena(String memory, String regions, int capacity, String fileName) throws IOException {
    Arena.Options o = Arena.Options.defaults().capacity(capacity).freelist(Arena.Freelist.PESSIMISTIC);
    if (regions.equals("off")) {
      o.threadRegionSize(0);
    }
    if (memory.equals("anon")) {
      file = null;
      arena = Arena.anonymous(o);
    } else {
      Path dir = Files.createDirectories(Path.of("/dev/shm/rainbarrel-bench-" + ProcessHandle.current().pid()));
      file = dir.resolve(fileName);
      Files.deleteIfExists(file);
      arena = Arena.open(file, o);
    }
  }

  @Override
  public void close() throws IOException {
    arena.close();
    if (file != null) {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.getParent());
    }
  }
}
