package dev.rainbarrel.iobuf;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One direct-memory buffer of a {@link Pool}, shared by the {@link Slice}s cut from it and by the
 * {@link Allocator} cutting them. Each holder owns one reference; when the last is released the
 * chunk goes back to its pool. A release below zero is a bug and throws.
 */
final class Chunk {

  final Pool pool;
  final ByteBuffer memory;
  private final AtomicInteger refs = new AtomicInteger(1);

  Chunk(Pool pool, ByteBuffer memory) {
    this.pool = pool;
    this.memory = memory;
  }

  int capacity() {
    return memory.capacity();
  }

  void retain() {
    int r;
    do {
      r = refs.get();
      if (r <= 0) {
        throw new IllegalStateException("chunk of " + capacity() + " bytes was already returned to its pool");
      }
    } while (!refs.compareAndSet(r, r + 1));
  }

  /** Adds {@code n} references at once (an {@link Allocator} takes them in batches). */
  void retain(int n) {
    int r;
    do {
      r = refs.get();
      if (r <= 0) {
        throw new IllegalStateException("chunk of " + capacity() + " bytes was already returned to its pool");
      }
    } while (!refs.compareAndSet(r, r + n));
  }

  /** Drops {@code n} references at once; returns the chunk to its pool when none remain. */
  void release(int n) {
    int r = refs.addAndGet(-n);
    if (r < 0) {
      refs.addAndGet(n);
      throw new IllegalStateException("chunk of " + capacity() + " bytes released more often than retained");
    }
    if (r == 0) {
      pool.recycle(this);
    }
  }

  void release() {
    int r = refs.decrementAndGet();
    if (r < 0) {
      refs.incrementAndGet();
      throw new IllegalStateException("chunk of " + capacity() + " bytes released more often than retained");
    }
    if (r == 0) {
      pool.recycle(this);
    }
  }

  /** Called by the pool when it hands out a recycled chunk again. */
  void revive() {
    if (!refs.compareAndSet(0, 1)) {
      throw new IllegalStateException("recycled chunk still referenced: " + refs.get());
    }
  }

  int refs() {
    return refs.get();
  }
}
