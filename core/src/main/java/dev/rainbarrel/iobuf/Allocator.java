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

  /** References taken from a chunk at once, so that most slices cost no atomic operation here. */
  static final int RETAIN_BATCH = 64;

  private final Pool pool;
  private final int reserve;
  private Chunk chunk;
  private int index;
  /**
   * References to {@link #chunk} this allocator holds: its own one plus those taken in advance
   * for the next slices (each slice takes one over). So {@code chunk.refs() == held} means no
   * slice of the chunk is alive, and the allocator may cut from its start again.
   */
  private int held;
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
   * prefix before it. When the current chunk is full but every slice cut from it has been
   * released, the allocator starts again at the chunk's beginning instead of taking a new chunk
   * from the pool.
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
      // Only this allocator adds references, so refs() == held stays true once seen: no slice
      // of the chunk is alive and its bytes may be handed out again.
      if (chunk != null && need <= chunk.capacity() && chunk.refs() == held && !pool.isClosed()) {
        index = 0;
      } else {
        Chunk next = pool.acquire(need);
        if (chunk != null) {
          pool.discard(chunk.capacity() - index);
          chunk.release(held);
        }
        chunk = next;
        held = 1;
        index = 0;
      }
    }
    if (held == 1) {
      chunk.retain(RETAIN_BATCH);
      held += RETAIN_BATCH;
    }
    held--; // handed over to the slice
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
        chunk.release(held);
        chunk = null;
        held = 0;
      }
    }
  }
}
