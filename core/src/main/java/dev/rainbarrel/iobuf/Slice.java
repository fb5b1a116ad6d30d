package dev.rainbarrel.iobuf;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A contiguous, reference-counted region of a pooled chunk (iobuf's Slice).
 *
 * <pre>
 *  chunk: |.... in use by others ....|<- free prefix ->|<----- contents ----->|.....
 *                                    free              base                   bound
 * </pre>
 *
 * The contents are {@code [base, bound)}; the free prefix {@code [free, base)} is space this
 * slice may grow into with {@link #expandFront} (e.g. reserve bytes for a header). Each slice
 * holds one reference to its chunk; {@link #release()} drops it, and a second release throws
 * {@link IllegalStateException} instead of corrupting the pool. A slice is used by one thread at
 * a time. Slices made by {@link #wrap} have no chunk and release nothing.
 */
public final class Slice {

  private final Chunk chunk; // null for wrapped heap data
  private final ByteBuffer memory;
  private int free;
  private int base;
  private int bound;
  private boolean released;
  private final Tracker tracker;

  Slice(Chunk chunk, int free, int base, int bound) {
    this.chunk = chunk;
    this.memory = chunk.memory;
    this.free = free;
    this.base = base;
    this.bound = bound;
    this.tracker = chunk.pool.track(this, chunk);
  }

  private Slice(ByteBuffer heap) {
    this.chunk = null;
    this.memory = heap;
    this.base = 0;
    this.bound = heap.capacity();
    this.tracker = null;
  }

  /** A slice over {@code data} itself (not copied, not pooled), like iobuf's NewSlice. */
  public static Slice wrap(byte[] data) {
    return new Slice(ByteBuffer.wrap(data));
  }

  /** Number of bytes in the contents. */
  public int size() {
    check();
    return bound - base;
  }

  /** A view of the contents (position 0, limit {@link #size()}); valid until release. */
  public ByteBuffer contents() {
    check();
    ByteBuffer d = memory.duplicate();
    d.limit(bound).position(base);
    return d.slice();
  }

  /** The contents copied to a new array. */
  public byte[] toArray() {
    byte[] out = new byte[size()];
    contents().get(out);
    return out;
  }

  /**
   * Grows the contents by {@code bytes} at the front, into the free prefix. Returns false (and
   * changes nothing) when the prefix is too small.
   */
  public boolean expandFront(int bytes) {
    check();
    if (bytes < 0) {
      throw new IllegalArgumentException("cannot expand by a negative count: " + bytes);
    }
    if (base - bytes < free) {
      return false;
    }
    base -= bytes;
    return true;
  }

  /** Drops {@code bytes} from the front; they join the free prefix. */
  public void truncateFront(int bytes) {
    check();
    if (bytes < 0 || bytes > bound - base) {
      throw new IllegalArgumentException("cannot truncate " + bytes + " bytes from a slice of " + (bound - base));
    }
    base += bytes;
  }

  /**
   * Releases {@code prev}; when it lay directly before this slice in the same chunk, its space
   * (and its own free prefix) becomes part of this slice's free prefix.
   */
  public void releasePrevious(Slice prev) {
    check();
    if (prev.chunk != null && prev.chunk == chunk && prev.bound <= free && prev.free < free) {
      free = prev.free;
    }
    prev.release();
  }

  /**
   * Extends the free prefix to the start of the chunk. Only safe when no other slice uses the
   * bytes before this one.
   */
  public void freeEntirePrefix() {
    check();
    free = 0;
  }

  /** Releases this slice's reference to its chunk. A second release throws. */
  public void release() {
    if (released) {
      throw new IllegalStateException("slice of " + (bound - base) + " bytes released twice");
    }
    released = true;
    if (chunk != null) {
      chunk.pool.untrack(tracker);
      chunk.release();
    }
  }

  /** True after {@link #release()}. */
  public boolean isReleased() {
    return released;
  }

  /**
   * Merges runs of slices that are adjacent in the same chunk into single slices of at most
   * {@code maxSize} bytes, without copying. Takes ownership of {@code slices} (merged ones are
   * released); the caller owns the result.
   */
  public static List<Slice> coalesce(List<Slice> slices, int maxSize) {
    List<Slice> out = new ArrayList<>();
    Slice run = null;
    for (Slice s : slices) {
      s.check();
      if (run != null && run.chunk != null && run.chunk == s.chunk && run.bound == s.base
          && (long) run.size() + s.size() <= maxSize) {
        Slice merged = new Slice(run.chunk, run.free, run.base, s.bound);
        run.chunk.retain();
        run.release();
        s.release();
        run = merged;
        continue;
      }
      if (run != null) {
        out.add(run);
      }
      run = s;
    }
    if (run != null) {
      out.add(run);
    }
    return out;
  }

  /** A new slice over the first {@code n} bytes of this one (no free prefix); same chunk. */
  Slice headSlice(int n) {
    check();
    chunk.retain();
    return new Slice(chunk, base, base, base + n);
  }

  /** Grows the contents at the back by {@code n} bytes just written after them. */
  void extendBack(int n) {
    check();
    bound += n;
  }

  private void check() {
    if (released) {
      throw new IllegalStateException("slice used after release");
    }
  }

  /** Leak-detection state, kept apart from the slice so the cleaner can run after it is gone. */
  static final class Tracker implements Runnable {
    final Pool pool;
    final Chunk chunk;
    final Throwable site;
    final int size;
    volatile boolean released;
    Cleaner.Cleanable cleanable;

    Tracker(Pool pool, Chunk chunk, Throwable site, int size) {
      this.pool = pool;
      this.chunk = chunk;
      this.site = site;
      this.size = size;
    }

    @Override
    public void run() {
      if (!released) {
        pool.leaked(this);
        chunk.release(); // the slice is gone, so nobody can use these bytes any more
      }
    }
  }
}
