package dev.rainbarrel.iobuf;

/**
 * Cuts {@link Slice}s from {@link Pool} chunks, sequentially, so that consecutive slices are
 * adjacent and {@link Slice#coalesce} can merge them without copying (iobuf's Allocator).
 *
 * <p>Every slice starts with {@code reserve} spare bytes before its contents, in its free prefix,
 * for a header to be added later with {@link Slice#expandFront}. When the current chunk cannot
 * hold {@code reserve + n} more bytes, the allocator lets go of it (the unused tail is counted as
 * discarded) and takes a new one, large enough for the request. Not thread-safe: use one
 * allocator per thread or connection.
 */
public final class Allocator implements AutoCloseable {

  private final Pool pool;
  private final int reserve;
  private Chunk chunk;
  private int index;
  private boolean closed;

  /**
   * @param pool where chunks come from
   * @param reserve spare bytes before each slice's contents
   */
  public Allocator(Pool pool, int reserve) {
    if (reserve < 0) {
      throw new IllegalArgumentException("reserve must not be negative: " + reserve);
    }
    this.pool = pool;
    this.reserve = reserve;
  }

  /** The reserve bytes before each slice. */
  public int reserve() {
    return reserve;
  }

  /**
   * A slice of {@code n} bytes (contents not cleared) with {@link #reserve()} bytes of free
   * prefix before it.
   *
   * @throws PoolLimitException when a bounded pool has no room for a new chunk
   * @throws IllegalStateException when this allocator or its pool is closed
   */
  public Slice alloc(int n) {
    if (closed) {
      throw new IllegalStateException("allocator is closed");
    }
    if (n < 0) {
      throw new IllegalArgumentException("size must not be negative: " + n);
    }
    int need = reserve + n;
    if (chunk == null || chunk.capacity() - index < need) {
      Chunk next = pool.acquire(need);
      if (chunk != null) {
        pool.discard(chunk.capacity() - index);
        chunk.release();
      }
      chunk = next;
      index = 0;
    }
    chunk.retain();
    Slice s = new Slice(chunk, index, index + reserve, index + need);
    index += need;
    return s;
  }

  /** A slice holding a copy of {@code data}. */
  public Slice copy(byte[] data) {
    Slice s = alloc(data.length);
    s.contents().put(data);
    return s;
  }

  /** Lets go of the current chunk; slices already handed out stay valid. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (chunk != null) {
        chunk.release();
        chunk = null;
      }
    }
  }
}
