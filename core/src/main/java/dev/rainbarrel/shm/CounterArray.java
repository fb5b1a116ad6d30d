package dev.rainbarrel.shm;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A fixed-size array of 64-bit unsigned counters, one per cache-line slot: raindrops' {@code
 * Raindrops} object for the JVM. Either anonymous ({@link #create}, private to this process) or
 * backed by a file ({@link #open}) that unrelated processes map and update together.
 *
 * <pre>
 * slot i at byte offset i * SIZE:
 * +----------------+--------------------------------------------------------+
 * | value (8 B LE) | padding to SIZE (64 B) so neighbours never share a line |
 * +----------------+--------------------------------------------------------+
 * </pre>
 *
 * The file holds nothing but the slots (no header), exactly as raindrops lays out its memory, so
 * the raw file bytes at stride {@link #SIZE} are the values. {@link #capacity()} is the number of
 * slots in the page-rounded mapping (raindrops' {@code capa}); {@link #size()} is how many are
 * in use; {@link #resize} moves within capacity for free and remaps beyond it.
 *
 * <p>Arithmetic wraps modulo 2<sup>64</sup> ({@code decr} at 0 gives 2<sup>64</sup>-1, shown
 * with {@link Long#toUnsignedString}). {@code incr}/{@code decr} are atomic and return the new
 * value. An index outside {@code [0, size)} throws {@link IndexOutOfBoundsException} naming the
 * index and the size; any use after {@link #close()} throws {@link IllegalStateException}.
 * Resizing is not safe against concurrent use of the same instance (as in raindrops).
 */
public final class CounterArray implements AutoCloseable {

  /** Bytes per slot: one cache line on common hardware. */
  public static final int SIZE = 64;
  /** Mappings are rounded to whole pages. */
  public static final int PAGE_SIZE = 4096;

  private static final VarHandle LONG =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** The current memory; replaced on resize, null after close. */
  private static final class Mapping {
    final ByteBuffer buf;
    final int size;
    final int capacity;

    Mapping(ByteBuffer buf, int size, int capacity) {
      this.buf = buf;
      this.size = size;
      this.capacity = capacity;
    }
  }

  private volatile Mapping mapping;
  private final FileChannel channel; // null when anonymous
  private final Path path;

  private CounterArray(Mapping mapping, FileChannel channel, Path path) {
    this.mapping = mapping;
    this.channel = channel;
    this.path = path;
  }

  /** An anonymous (process-private) array of {@code size} zeroed counters. */
  public static CounterArray create(int size) {
    checkSize(size);
    int capacity = capacityFor(size);
    return new CounterArray(new Mapping(anonymous(capacity), size, capacity), null, null);
  }

  /**
   * An array backed by {@code path} (created 0600 if missing), shared with every process that
   * opens the same file.
   *
   * @param zero true to zero the first {@code size} counters; false keeps the values already in
   *     the file (a restarted process picks up where it left)
   */
  public static CounterArray open(Path path, int size, boolean zero) throws IOException {
    checkSize(size);
    SecureFiles.Opened opened = SecureFiles.openPrivateFile(path.toAbsolutePath());
    FileChannel ch = opened.channel;
    try {
      int capacity = capacityFor(size);
      MappedByteBuffer buf = mapFile(ch, capacity);
      if (zero) {
        for (int i = 0; i < size; i++) {
          LONG.setVolatile(buf, i * SIZE, 0L);
        }
      }
      return new CounterArray(new Mapping(buf, size, capacity), ch, path.toAbsolutePath());
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Adds one to counter {@code i}; returns the new value. */
  public long incr(int i) {
    return incr(i, 1);
  }

  /** Adds {@code n} to counter {@code i}; returns the new value. */
  public long incr(int i, long n) {
    Mapping m = live();
    return (long) LONG.getAndAdd(m.buf, offset(m, i), n) + n;
  }

  /** Subtracts one from counter {@code i}; returns the new value. */
  public long decr(int i) {
    return incr(i, -1);
  }

  /** Subtracts {@code n} from counter {@code i}; returns the new value. */
  public long decr(int i, long n) {
    return incr(i, -n);
  }

  /** Counter {@code i} (acquire read). */
  public long get(int i) {
    Mapping m = live();
    return (long) LONG.getAcquire(m.buf, offset(m, i));
  }

  /** Sets counter {@code i} (release write). */
  public void set(int i, long value) {
    Mapping m = live();
    LONG.setRelease(m.buf, offset(m, i), value);
  }

  /** Counters in use. */
  public int size() {
    return live().size;
  }

  /** Counters the current mapping holds (page-rounded). */
  public int capacity() {
    return live().capacity;
  }

  /**
   * Changes the number of counters. Within {@link #capacity()} only the size changes; beyond it the
   * memory is remapped (the file grows) and values are kept.
   */
  public synchronized void resize(int newSize) throws IOException {
    checkSize(newSize);
    Mapping m = live();
    if (newSize <= m.capacity) {
      mapping = new Mapping(m.buf, newSize, m.capacity);
      return;
    }
    int capacity = capacityFor(newSize);
    ByteBuffer buf;
    if (channel == null) {
      buf = anonymous(capacity);
      for (int i = 0; i < m.capacity; i++) {
        LONG.setVolatile(buf, i * SIZE, (long) LONG.getVolatile(m.buf, i * SIZE));
      }
    } else {
      buf = mapFile(channel, capacity);
    }
    mapping = new Mapping(buf, newSize, capacity);
  }

  /** An independent anonymous copy of the current values (raindrops' {@code dup}). */
  public CounterArray snapshot() {
    Mapping m = live();
    CounterArray copy = create(m.size);
    for (int i = 0; i < m.size; i++) {
      copy.set(i, (long) LONG.getAcquire(m.buf, i * SIZE));
    }
    return copy;
  }

  /** The values as a new {@code long[]} (raindrops' {@code to_ary}). */
  public long[] toArray() {
    Mapping m = live();
    long[] out = new long[m.size];
    for (int i = 0; i < m.size; i++) {
      out[i] = (long) LONG.getAcquire(m.buf, i * SIZE);
    }
    return out;
  }

  /** The backing file, or null when anonymous. */
  public Path path() {
    return path;
  }

  /** Releases the memory (and the file handle); every later use throws IllegalStateException. */
  @Override
  public synchronized void close() throws IOException {
    if (mapping == null) {
      return;
    }
    mapping = null;
    if (channel != null) {
      channel.close();
    }
  }

  private Mapping live() {
    Mapping m = mapping;
    if (m == null) {
      throw new IllegalStateException("CounterArray is closed");
    }
    return m;
  }

  private static int offset(Mapping m, int i) {
    if (i < 0 || i >= m.size) {
      throw new IndexOutOfBoundsException("index " + i + " out of range for size " + m.size);
    }
    return i * SIZE;
  }

  private static MappedByteBuffer mapFile(FileChannel ch, int capacity) throws IOException {
    long length = (long) capacity * SIZE;
    if (ch.size() < length) {
      ch.write(ByteBuffer.wrap(new byte[1]), length - 1);
    }
    return ch.map(FileChannel.MapMode.READ_WRITE, 0, length);
  }

  private static ByteBuffer anonymous(int capacity) {
    // allocateDirect does not promise alignment: over-allocate and slice on a line boundary.
    return ByteBuffer.allocateDirect(capacity * SIZE + SIZE).alignedSlice(SIZE);
  }

  static int capacityFor(int size) {
    long bytes = ((long) size * SIZE + PAGE_SIZE - 1) & -(long) PAGE_SIZE;
    return (int) (bytes / SIZE);
  }

  private static void checkSize(int size) {
    if (size < 1 || size > (Integer.MAX_VALUE - PAGE_SIZE) / SIZE) {
      throw new IllegalArgumentException("size must be in [1, " + (Integer.MAX_VALUE - PAGE_SIZE) / SIZE + "]: " + size);
    }
  }
}
