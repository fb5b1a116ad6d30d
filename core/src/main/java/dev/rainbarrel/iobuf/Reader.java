package dev.rainbarrel.iobuf;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Buffered reading from a channel into pooled slices (iobuf's Reader): {@link #read(int)} returns
 * exactly the next {@code n} bytes as one slice, reading from the channel as much as is available
 * into the current chunk. At end of stream, bytes still buffered can be read with smaller
 * requests; a request for more than remains throws {@link EOFException} and consumes nothing.
 * The channel must be in blocking mode. Not thread-safe; {@link #close()} releases the buffer but not the channel.
 */
public final class Reader implements AutoCloseable {

  private final Pool pool;
  private final ReadableByteChannel channel;
  private Slice buffered; // contents = unread bytes; may be null
  private Chunk chunk; // chunk being filled, with one reference held by this reader
  private int filled; // bytes of chunk written so far
  private boolean eof;
  private int emptyReads;

  /** A reader of {@code channel} with chunks from {@code pool}. */
  public Reader(Pool pool, ReadableByteChannel channel) {
    this.pool = pool;
    this.channel = channel;
  }

  /**
   * The next {@code n} bytes.
   *
   * @throws EOFException if the stream ends before {@code n} bytes (the bytes stay buffered)
   */
  public Slice read(int n) throws IOException {
    if (n < 0) {
      throw new IllegalArgumentException("cannot read a negative count: " + n);
    }
    while (buffered == null || buffered.size() < n) {
      if (eof) {
        throw new EOFException("wanted " + n + " bytes, only " + available() + " before end of stream");
      }
      fill(n);
    }
    // Cut the first n bytes off the buffered slice: a new slice over them, same chunk.
    Slice head = buffered.headSlice(n);
    buffered.truncateFront(n);
    return head;
  }

  /** Bytes buffered and not yet returned. */
  public int available() {
    return buffered == null ? 0 : buffered.size();
  }

  /** Reads more bytes, moving unread ones to a fresh chunk if the current one is too small. */
  private void fill(int n) throws IOException {
    int have = available();
    if (chunk == null || chunk.capacity() - filled < n - have || chunk.capacity() == filled) {
      Chunk next = pool.acquire(Math.max(n, pool.chunkSize()));
      ByteBuffer dst = next.memory.duplicate();
      if (buffered != null) {
        dst.put(buffered.contents());
        buffered.release();
      }
      if (chunk != null) {
        chunk.release();
      }
      chunk = next;
      filled = have;
      next.retain();
      buffered = new Slice(next, 0, 0, have);
    }
    ByteBuffer dst = chunk.memory.duplicate();
    dst.limit(chunk.capacity()).position(filled);
    int r = channel.read(dst);
    if (r < 0) {
      eof = true;
      return;
    }
    if (r == 0 && ++emptyReads > 1000) {
      throw new IOException("channel returned no data 1000 times in a row (non-blocking channel?)");
    }
    if (r > 0) {
      emptyReads = 0;
    }
    filled += r;
    buffered.extendBack(r);
  }

  /** Releases buffered bytes and the current chunk. Idempotent. */
  @Override
  public void close() {
    if (buffered != null) {
      buffered.release();
      buffered = null;
    }
    if (chunk != null) {
      chunk.release();
      chunk = null;
    }
  }
}
