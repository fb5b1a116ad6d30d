package dev.rainbarrel.bench;

import dev.rainbarrel.arena.Arena;
import java.io.IOException;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The parameters and the per-iteration arena that the arena benchmarks share: {@code size} of
 * each allocation, {@code memory} ({@code anon} = direct memory, {@code shm} = a file in
 * /dev/shm) and {@code regions} ({@code on} = the default thread regions, {@code off} = the
 * shared bump pointer only).
 */
@State(Scope.Benchmark)
public abstract class ArenaParams {
  @Param({"32", "256", "4096"})
  public int size;

  @Param({"anon", "shm"})
  public String memory;

  @Param({"on", "off"})
  public String regions;

  private BenchArena fixture;
  protected Arena arena;

  /** Bytes of the arena made for each iteration. */
  protected abstract int capacity();

  @Setup(Level.Iteration)
  public void setUpArena() throws IOException {
    fixture = new BenchArena(memory, regions, capacity(), getClass().getSimpleName() + ".arena");
    arena = fixture.arena;
  }

  @TearDown(Level.Iteration)
  public void tearDownArena() throws IOException {
    fixture.close();
    arena = null;
  }
}
