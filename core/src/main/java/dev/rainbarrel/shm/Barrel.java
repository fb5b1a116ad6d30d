package dev.rainbarrel.shm;

import static dev.rainbarrel.shm.BarrelLayout.*;

import dev.rainbarrel.alloc.NumberAllocator;
import dev.rainbarrel.stats.HistogramLayout;
import dev.rainbarrel.stats.HistogramSnapshot;
import dev.rainbarrel.stats.LogLinearHistogram;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A shared-memory file of named 64-bit counters, gauges and blocks that any number of processes
 * map at once: the counters of one JVM, or of several JVMs sharing a stable path, readable by any
 * local process (the CLI, {@code examples/read_barrel.py}) without talking to the JVM.
 *
 * <pre>{@code
 * try (Barrel barrel = Barrel.open(Path.of("/dev/shm/rainbarrel-me/web.barrel"))) {
 *   Counter requests = barrel.counter("requests"); // same slot in every process
 *   Gauge calling = barrel.gauge("calling");       // this process's slot; sum() over live owners
 * }
 * }</pre>
 *
 * <h2>How it stays consistent</h2>
 *
 * <ul>
 *   <li>Creation and every registration run under an exclusive {@link FileLock} (and a JVM-wide
 *       monitor, since file locks are per process). The kernel drops the lock of a process that
 *       dies, so a crash never wedges the others.
 *   <li>The header's ready flag is written last, with release; a file whose creator died before
 *       that is re-initialised by the next opener that holds the lock. Readers that open
 *       read-only wait a bounded time for it, then fail with a clear message.
 *   <li>Slots are handed out by a lock-free {@link NumberAllocator} per extent. Counters are owned
 *       by the file ({@link NumberAllocator#FILE_OWNER}); gauges by their process.
 *   <li>When every slot is taken, a new extent is appended to the file and mapped; other
 *       processes map it on their next registration or read (existing mappings stay valid, so
 *       handles never move).
 *   <li>Every file is validated before it is mapped: sizes, magic, version, slot size, extent
 *       bounds. A bad file is a {@link BarrelFormatException} naming the file and the problem.
 *   <li>A counter or gauge may have <em>cells</em> (format version 2, {@link ThreadCells}):
 *       per-thread records that only one thread writes, without a locked instruction. {@link
 *       #entries()}, {@link Counter#sum()} and {@link Gauge#sum()} add them to the base record;
 *       {@link #histogramSnapshots()} merges a histogram's per-thread rows. {@link #counter} and
 *       {@link #gauge} return only base records.
 * </ul>
 *
 * The byte layout is in {@link BarrelLayout} and {@code docs/FILE-FORMAT.md}. Instances are
 * thread-safe. Closing frees this process's gauge slots and attach entry; the counters stay.
 */
public final class Barrel implements AutoCloseable {

  static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** Bytes of one counter/gauge slot (one value per cache-line-sized slot). */
  public static final int SLOT_BYTES = SLOT_SIZE;

  /** File locks belong to the process: serialise this JVM's lock holders on one monitor. */
  private static final Object JVM_LOCK = new Object();
  private static final long READY_WAIT_MILLIS = 2000;
  /** Read-write handles open in this JVM, by file identity: their count per file. */
  private static final Map<Object, Integer> OPEN_HERE = new ConcurrentHashMap<>();

  private final Path path;
  private final FileChannel channel;
  private final boolean readOnly;
  private final MappedByteBuffer header;
  private final List<Extent> extents = new ArrayList<>();
  private final long stamp = ProcessIdentity.currentStamp();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
  private final Map<String, LogLinearHistogram> histograms = new ConcurrentHashMap<>();
  private final Handle.State state = new Handle.State();
  private int attachEntry = -1;
  private Object fileKey; // device and inode of a read-write handle's file (OPEN_HERE)
  private final java.util.concurrent.atomic.AtomicLong registrationFailures = new java.util.concurrent.atomic.AtomicLong();

  private Barrel(Path path, FileChannel channel, boolean readOnly, MappedByteBuffer header) {
    this.path = path;
    this.channel = channel;
    this.readOnly = readOnly;
    this.header = header;
  }

  // ------------------------------------------------------------------------------------------
  // Opening

  /** The default file of a process: {@code <default directory>/<pid>.barrel}. */
  public static Path defaultPath(long pid) {
    return SecureFiles.defaultDirectory().resolve(pid + ".barrel");
  }

  /** Creates or attaches to this process's default file. */
  public static Barrel openDefault() throws IOException {
    return open(defaultPath(ProcessHandle.current().pid()));
  }

  /**
   * Creates the file (mode 0600, its directory 0700 if this call makes it) or attaches to an
   * existing one, and registers this process in the file's attach table.
   *
   * @throws BarrelFormatException if the file exists but is not a valid Barrel
   * @throws IOException if the file or its directory is unsafe (link, other owner) or unreadable
   */
  public static Barrel open(Path path) throws IOException {
    path = path.toAbsolutePath();
    Path dir = path.getParent();
    if (dir.equals(SecureFiles.defaultDirectory()) || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      SecureFiles.ensurePrivateDirectory(dir);
    }
    for (int attempt = 1; ; attempt++) {
      SecureFiles.Opened opened = SecureFiles.openPrivateFile(path);
      FileChannel ch = opened.channel;
      // Registered before any lock is taken: a sweep in this JVM must never open (and by closing,
      // unlock) a file this JVM is opening or has open.
      Object key = LivenessLock.fileKey(path);
      register(key);
      try {
        if (LivenessLock.hold(path, ch, key)) {
          Barrel b = openLocked(path, ch);
          b.fileKey = key;
          return b;
        }
      } catch (IOException | RuntimeException e) {
        unregister(key);
        ch.close();
        throw e;
      }
      unregister(key);
      ch.close(); // swept away between the open and the lock (its last owner was dead): again
      if (attempt == 3) {
        throw new IOException(path + ": removed by a stale-file sweep while being opened, three times in a row");
      }
    }
  }

  /** The rest of {@link #open}, on a channel that holds the liveness lock. */
  private static Barrel openLocked(Path path, FileChannel ch) throws IOException {
    synchronized (JVM_LOCK) {
      try (FileLock lock = lockStructure(ch)) {
        long size = ch.size();
        boolean initialise = size == 0;
        if (!initialise) {
          ByteBuffer h = readHeader(path, ch, size);
          initialise = h.getLong(H_MAGIC) == MAGIC && h.getInt(H_READY) == 0; // creator died mid-way
          if (!initialise) {
            validateHeader(path, h, size);
          }
        }
        if (initialise) {
          try {
            initialise(ch);
          } catch (IOException e) { // e.g. a full /dev/shm (FileSpace): say which file
            throw new IOException(path + ": " + e.getMessage(), e);
          }
        }
        MappedByteBuffer header = map(ch, FileChannel.MapMode.READ_WRITE, 0, HEADER_LENGTH);
        Barrel b = new Barrel(path, ch, false, header);
        b.refreshExtents();
        b.attachEntry = AttachTable.claim(header, b.stamp, AttachTable.describeCurrentProcess());
        return b;
      }
    }
  }

  /**
   * The structural lock: exclusive on {@code [0, LivenessLock.POSITION)}, i.e. the whole file but
   * the liveness byte, held while the file's structure changes (create, register, grow, reclaim).
   */
  private static FileLock lockStructure(FileChannel ch) throws IOException {
    return ch.lock(0, LivenessLock.POSITION, false);
  }

  /** True when this JVM has {@code file} open read-write through a Barrel (a sweep leaves it alone). */
  static boolean openInThisJvm(Object fileKey) {
    return OPEN_HERE.containsKey(fileKey);
  }

  /** What a sweep does with a file once it knows this JVM does not have it open. */
  interface SweepAction {
    boolean run() throws IOException;
  }

  /**
   * Runs {@code action} unless this JVM has the file open (then false), while no handle of this
   * JVM can start opening it: the sweep opens and closes its own channel on the file, and closing
   * any descriptor drops every POSIX lock this process holds on that file.
   */
  static boolean unlessOpenInThisJvm(Object fileKey, SweepAction action) throws IOException {
    synchronized (OPEN_HERE) {
      return !OPEN_HERE.containsKey(fileKey) && action.run();
    }
  }

  private static void register(Object fileKey) {
    if (fileKey != null) {
      synchronized (OPEN_HERE) { // waits for a sweep of this file in this JVM to finish
        OPEN_HERE.merge(fileKey, 1, Integer::sum);
      }
    }
  }

  private static void unregister(Object fileKey) {
    if (fileKey != null) {
      OPEN_HERE.computeIfPresent(fileKey, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  /**
   * Opens an existing file for reading only (the CLI's view): never creates, never writes, never
   * registers in the attach table. Waits up to two seconds for a file that is being initialised.
   */
  public static Barrel openReadOnly(Path path) throws IOException {
    path = path.toAbsolutePath();
    FileChannel ch = SecureFiles.openPrivateFileReadOnly(path);
    try {
      long deadline = System.nanoTime() + READY_WAIT_MILLIS * 1_000_000L;
      while (true) {
        long size = ch.size();
        if (size == 0) {
          throw new BarrelFormatException(path, "empty file (0 bytes), not a barrel");
        }
        ByteBuffer h = readHeader(path, ch, size);
        if (h.getLong(H_MAGIC) == MAGIC && h.getInt(H_READY) == 0) {
          if (System.nanoTime() - deadline > 0) {
            throw new BarrelFormatException(path,
                "not initialised after " + READY_WAIT_MILLIS + " ms (its creator may have died while creating it)");
          }
          sleep(50);
          continue;
        }
        validateHeader(path, h, size);
        MappedByteBuffer header = map(ch, FileChannel.MapMode.READ_ONLY, 0, HEADER_LENGTH);
        Barrel b = new Barrel(path, ch, true, header);
        b.refreshExtents();
        return b;
      }
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Maps a region little-endian, the file's byte order for plain and atomic accesses alike. */
  private static MappedByteBuffer map(FileChannel ch, FileChannel.MapMode mode, long offset, long length)
      throws IOException {
    MappedByteBuffer buf = ch.map(mode, offset, length);
    buf.order(ByteOrder.LITTLE_ENDIAN);
    return buf;
  }

  static ByteBuffer readHeader(Path path, FileChannel ch, long size) throws IOException {
    if (size < HEADER_LENGTH) {
      throw new BarrelFormatException(path,
          "truncated: " + size + " bytes, a barrel header needs " + HEADER_LENGTH);
    }
    ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    while (h.hasRemaining()) {
      if (ch.read(h, h.position()) < 0) {
        throw new BarrelFormatException(path, "truncated while reading the header");
      }
    }
    return h.flip();
  }

  private static void validateHeader(Path path, ByteBuffer h, long size) throws BarrelFormatException {
    long magic = h.getLong(H_MAGIC);
    if (magic != MAGIC) {
      boolean zero = true;
      for (int i = 0; i < HEADER_LENGTH && zero; i += 8) {
        zero = h.getLong(i) == 0;
      }
      throw new BarrelFormatException(path, zero
          ? "zero-filled header: not a barrel file (or its creator died before writing it)"
          : "not a barrel file (magic 0x" + Long.toHexString(magic) + ", expected \"RNBARREL\")");
    }
    int version = h.getInt(H_VERSION);
    if (version > VERSION) {
      throw new BarrelFormatException(path,
          "format version " + version + " is newer than this library reads (" + VERSION + "); upgrade rainbarrel");
    }
    if (version < MIN_VERSION) {
      throw new BarrelFormatException(path, "invalid format version " + version);
    }
    expect(path, h, H_HEADER_LENGTH, HEADER_LENGTH, "header length");
    expect(path, h, H_SLOT_SIZE, SLOT_SIZE, "slot size");
    expect(path, h, H_META_LENGTH, META_LENGTH, "metadata record length");
    expect(path, h, H_SLOTS_PER_EXTENT, SLOTS_PER_EXTENT, "slots per extent");
    expect(path, h, H_MAX_EXTENTS, MAX_EXTENTS, "maximum extents");
    expect(path, h, H_ATTACH_OFFSET, ATTACH_OFFSET, "attach table offset");
    expect(path, h, H_EXTENT_TABLE_OFFSET, EXTENT_TABLE_OFFSET, "extent table offset");
    int count = h.getInt(H_EXTENT_COUNT);
    if (count < 1 || count > MAX_EXTENTS) {
      throw new BarrelFormatException(path, "extent count " + count + " out of range [1, " + MAX_EXTENTS + "]");
    }
    long expectedOffset = HEADER_LENGTH;
    for (int i = 0; i < count; i++) {
      int e = EXTENT_TABLE_OFFSET + i * EXTENT_ENTRY_LENGTH;
      long off = h.getLong(e);
      int len = h.getInt(e + 8);
      int type = h.getInt(e + 12);
      if (off != expectedOffset || len <= 0 || (len & (PAGE - 1)) != 0 || (type != TYPE_COUNTERS && type != TYPE_BLOCK)) {
        throw new BarrelFormatException(path, "corrupt extent table entry " + i
            + " (offset " + off + ", length " + len + ", type " + type + ")");
      }
      if (type == TYPE_COUNTERS && len != COUNTER_EXTENT_LENGTH) {
        throw new BarrelFormatException(path, "counter extent " + i + " has length " + len
            + ", expected " + COUNTER_EXTENT_LENGTH);
      }
      expectedOffset = off + len;
      if (expectedOffset > size) {
        throw new BarrelFormatException(path, "truncated: extent " + i + " ends at byte " + expectedOffset
            + " but the file has " + size + " bytes");
      }
    }
  }

  private static void expect(Path path, ByteBuffer h, int offset, int expected, String what)
      throws BarrelFormatException {
    int actual = h.getInt(offset);
    if (actual != expected) {
      throw new BarrelFormatException(path, what + " is " + actual + ", this library uses " + expected);
    }
  }

  /** Writes a fresh header and the first counter extent; the ready flag goes last. */
  private static void initialise(FileChannel ch) throws IOException {
    ch.truncate(0);
    ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    h.putLong(H_MAGIC, MAGIC);
    h.putInt(H_VERSION, VERSION);
    h.putInt(H_HEADER_LENGTH, HEADER_LENGTH);
    h.putInt(H_SLOT_SIZE, SLOT_SIZE);
    h.putInt(H_META_LENGTH, META_LENGTH);
    h.putInt(H_SLOTS_PER_EXTENT, SLOTS_PER_EXTENT);
    h.putInt(H_MAX_EXTENTS, MAX_EXTENTS);
    h.putInt(H_EXTENT_COUNT, 0);
    h.putInt(H_READY, 0);
    h.putLong(H_CREATOR, ProcessIdentity.currentStamp());
    h.putLong(H_CREATED, System.currentTimeMillis());
    h.putLong(H_NEXT_REGISTRATION, 1);
    h.putInt(H_ATTACH_OFFSET, ATTACH_OFFSET);
    h.putInt(H_ATTACH_ENTRIES, ATTACH_ENTRIES);
    h.putInt(H_ATTACH_ENTRY_LENGTH, ATTACH_ENTRY_LENGTH);
    h.putInt(H_EXTENT_TABLE_OFFSET, EXTENT_TABLE_OFFSET);
    h.putInt(H_EXTENT_ENTRY_LENGTH, EXTENT_ENTRY_LENGTH);
    while (h.hasRemaining()) {
      ch.write(h, h.position());
    }
    MappedByteBuffer header = map(ch, FileChannel.MapMode.READ_WRITE, 0, HEADER_LENGTH);
    appendExtent(ch, header, TYPE_COUNTERS, COUNTER_EXTENT_LENGTH, null);
    INT.setRelease(header, H_READY, 1);
  }

  // ------------------------------------------------------------------------------------------
  // Extents

  /** One mapped extent. */
  static final class Extent {
    final int index;
    final int type;
    final long offset;
    final int length;
    final MappedByteBuffer buf;
    final NumberAllocator allocator; // counter extents only

    Extent(int index, int type, long offset, int length, MappedByteBuffer buf, NumberAllocator allocator) {
      this.index = index;
      this.type = type;
      this.offset = offset;
      this.length = length;
      this.buf = buf;
      this.allocator = allocator;
    }
  }

  /**
   * Grows the file by one extent, formats it, and publishes it in the extent table (count written
   * last, with release). Caller holds the file lock.
   */
  private static MappedByteBuffer appendExtent(
      FileChannel ch, MappedByteBuffer header, int type, int length, Consumer<MappedByteBuffer> formatter)
      throws IOException {
    int count = (int) INT.getAcquire(header, H_EXTENT_COUNT);
    if (count >= MAX_EXTENTS) {
      throw new IllegalStateException("barrel is full: " + MAX_EXTENTS + " extents in use");
    }
    long offset = HEADER_LENGTH;
    for (int i = 0; i < count; i++) {
      int e = EXTENT_TABLE_OFFSET + i * EXTENT_ENTRY_LENGTH;
      offset = Math.max(offset, (long) LONG.getAcquire(header, e) + (int) INT.getAcquire(header, e + 8));
    }
    // Grow the file with its pages allocated (a full /dev/shm fails here, not later), then map only the new extent.
    FileSpace.allocate(ch, offset, length);
    MappedByteBuffer buf = map(ch, FileChannel.MapMode.READ_WRITE, offset, length);
    INT.setVolatile(buf, E_TYPE, type);
    INT.setVolatile(buf, E_INDEX, count);
    if (type == TYPE_COUNTERS) {
      INT.setVolatile(buf, E_SLOTS, SLOTS_PER_EXTENT);
      INT.setVolatile(buf, E_ALLOCATOR, ALLOCATOR_OFFSET);
      INT.setVolatile(buf, E_META, META_OFFSET);
      INT.setVolatile(buf, E_VALUES, VALUES_OFFSET);
      NumberAllocator.format(buf, ALLOCATOR_OFFSET, SLOTS_PER_EXTENT);
      INT.setRelease(buf, E_MAGIC, EXTC);
    } else {
      INT.setVolatile(buf, E_META, BLOCK_META);
      INT.setVolatile(buf, E_VALUES, BLOCK_PAYLOAD);
      INT.setVolatile(buf, E_PAYLOAD_LENGTH, length - BLOCK_PAYLOAD);
      if (formatter != null) {
        formatter.accept(buf);
      }
      INT.setRelease(buf, E_MAGIC, EXTB);
    }
    int e = EXTENT_TABLE_OFFSET + count * EXTENT_ENTRY_LENGTH;
    LONG.setVolatile(header, e, offset);
    INT.setVolatile(header, e + 8, length);
    INT.setVolatile(header, e + 12, type);
    INT.setRelease(header, H_EXTENT_COUNT, count + 1);
    return buf;
  }

  /** Maps extents published since the last look (other processes may have grown the file). */
  private synchronized void refreshExtents() throws IOException {
    int count = (int) INT.getAcquire(header, H_EXTENT_COUNT);
    if (count > MAX_EXTENTS) {
      throw new BarrelFormatException(path, "extent count " + count + " exceeds " + MAX_EXTENTS);
    }
    for (int i = extents.size(); i < count; i++) {
      int e = EXTENT_TABLE_OFFSET + i * EXTENT_ENTRY_LENGTH;
      long off = (long) LONG.getAcquire(header, e);
      int len = (int) INT.getAcquire(header, e + 8);
      int type = (int) INT.getAcquire(header, e + 12);
      long size = channel.size();
      if (off < HEADER_LENGTH || len <= 0 || off + len > size) {
        throw new BarrelFormatException(path, "extent " + i + " [" + off + ", " + (off + len)
            + ") lies outside the file (" + size + " bytes)");
      }
      MappedByteBuffer buf = map(channel, readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, off, len);
      int magic = (int) INT.getAcquire(buf, E_MAGIC);
      NumberAllocator alloc = null;
      if (type == TYPE_COUNTERS) {
        if (magic != EXTC || len != COUNTER_EXTENT_LENGTH) {
          throw new BarrelFormatException(path, "extent " + i + " is not a valid counter extent");
        }
        try {
          alloc = NumberAllocator.wrap(buf, ALLOCATOR_OFFSET);
        } catch (IllegalArgumentException bad) {
          throw new BarrelFormatException(path, "extent " + i + ": " + bad.getMessage());
        }
        if (alloc.capacity() != SLOTS_PER_EXTENT) {
          throw new BarrelFormatException(path, "extent " + i + " allocator capacity " + alloc.capacity());
        }
      } else if (type != TYPE_BLOCK || magic != EXTB) {
        throw new BarrelFormatException(path, "extent " + i + " has unknown type " + type);
      }
      extents.add(new Extent(i, type, off, len, buf, alloc));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Registration

  /** The counter {@code name}: the same slot in every process that maps this file. */
  public Counter counter(String name) {
    return counter(name, "");
  }

  /** The counter {@code name} with a label (e.g. a listener address). */
  public Counter counter(String name, String label) {
    return cached(counters, name, label, () -> {
      long slot = register(KIND_COUNTER, NumberAllocator.FILE_OWNER, name, label, false);
      return new Counter(this, new Handle(state, name, label), valueBuffer(slot), valueIndex(slot));
    });
  }

  /** This process's slot of the gauge {@code name}. */
  public Gauge gauge(String name) {
    return gauge(name, "");
  }

  /** This process's slot of the gauge {@code name} with a label. */
  public Gauge gauge(String name, String label) {
    return cached(gauges, name, label, () -> {
      long slot = register(KIND_GAUGE, stamp, name, label, true);
      return new Gauge(this, new Handle(state, name, label), valueBuffer(slot), valueIndex(slot));
    });
  }

  /** One handle per (name, label) per Barrel: registration happens once, under the monitor. */
  private <T> T cached(Map<String, T> cache, String name, String label, java.util.function.Supplier<T> register) {
    String key = key(name, label);
    T handle = cache.get(key);
    if (handle != null) {
      return handle;
    }
    synchronized (this) {
      return cache.computeIfAbsent(key, k -> register.get());
    }
  }

  /**
   * A named, file-owned block of {@code payloadLength} bytes (for histograms and other structures
   * that need more than one slot). On first registration {@code formatter} initialises the
   * zero-filled payload before any other process can see the block.
   *
   * @param blockType the structure's type tag; a block of the same name with another type, or
   *     shorter than requested, is an error
   */
  public Block block(String name, int blockType, int payloadLength, Consumer<Block> formatter) {
    checkName(name, "");
    if (blockType == HISTOGRAM_ROWS_BLOCK) {
      throw new IllegalArgumentException("block type " + HISTOGRAM_ROWS_BLOCK + " (histogram rows) is leased through ThreadCells");
    }
    if (payloadLength <= 0) {
      throw new IllegalArgumentException("payload length must be positive: " + payloadLength);
    }
    synchronized (this) {
      checkWritable();
      return withFileLock(() -> {
        refreshExtents();
        for (Extent x : extents) {
          if (x.type == TYPE_BLOCK && (int) INT.getAcquire(x.buf, BLOCK_META + M_STATE) == STATE_ALLOCATED
              && x.buf.getInt(BLOCK_META + M_BLOCK_TYPE) != HISTOGRAM_ROWS_BLOCK
              && name.equals(readString(x.buf, BLOCK_META + M_NAME, (short) x.buf.getShort(BLOCK_META + M_NAME_LENGTH)))) {
            int type = x.buf.getInt(BLOCK_META + M_BLOCK_TYPE);
            Block b = new Block(name, type, x.buf, BLOCK_PAYLOAD, x.length - BLOCK_PAYLOAD);
            if (type != blockType || b.length() < payloadLength) {
              throw new IllegalStateException(path + ": block '" + name + "' has type " + type
                  + " and " + b.length() + " bytes; wanted type " + blockType + " and " + payloadLength);
            }
            return b;
          }
        }
        int length = blockExtentLength(payloadLength);
        MappedByteBuffer buf = appendExtent(channel, header, TYPE_BLOCK, length, x -> {
          Block b = new Block(name, blockType, x, BLOCK_PAYLOAD, length - BLOCK_PAYLOAD);
          if (formatter != null) {
            formatter.accept(b);
          }
          x.putInt(BLOCK_META + M_BLOCK_TYPE, blockType);
          writeRecord(x, BLOCK_META, KIND_BLOCK, NumberAllocator.FILE_OWNER, name, "");
        });
        refreshExtents();
        return new Block(name, blockType, buf, BLOCK_PAYLOAD, length - BLOCK_PAYLOAD);
      });
    }
  }

  /** Block type of histogram blocks ({@link LogLinearHistogram} regions). */
  public static final int HISTOGRAM_BLOCK = 1;

  /**
   * Block type of histogram row blocks: per-thread rows of the histogram of the same name (layout
   * in {@link ThreadCells}); readers merge them into that histogram.
   */
  public static final int HISTOGRAM_ROWS_BLOCK = 2;

  /** The file-owned histogram {@code name} with the default layout, created on first use. */
  public LogLinearHistogram histogram(String name) {
    return histogram(name, HistogramLayout.DEFAULT);
  }

  /**
   * The file-owned histogram {@code name}: one shared region that every process records into.
   * An existing histogram keeps the layout it was created with.
   */
  public LogLinearHistogram histogram(String name, HistogramLayout layout) {
    LogLinearHistogram h = histograms.get(name);
    if (h != null) {
      return h;
    }
    synchronized (this) {
      h = histograms.get(name);
      if (h == null) {
        Block b = block(name, HISTOGRAM_BLOCK, LogLinearHistogram.regionLength(layout),
            x -> LogLinearHistogram.format(x.buffer(), x.offset(), layout));
        h = LogLinearHistogram.wrap(b.buffer(), b.offset(), b.length());
        histograms.put(name, h);
      }
      return h;
    }
  }

  /**
   * Snapshots of every histogram in the file, by name (for readers): each the merge of the
   * shared histogram and every per-thread row of the same name ({@link HistogramSnapshot#plus}).
   */
  public Map<String, HistogramSnapshot> histogramSnapshots() throws IOException {
    Map<String, HistogramSnapshot> out = new LinkedHashMap<>();
    List<Block> rowBlocks = new ArrayList<>();
    for (Block b : blocks()) {
      if (b.type() == HISTOGRAM_BLOCK) {
        try {
          out.merge(b.name(), LogLinearHistogram.wrap(b.buffer(), b.offset(), b.length()).snapshot(), HistogramSnapshot::plus);
        } catch (IllegalArgumentException bad) {
          throw new BarrelFormatException(path, "histogram '" + b.name() + "': " + bad.getMessage());
        }
      } else if (b.type() == HISTOGRAM_ROWS_BLOCK) {
        rowBlocks.add(b);
      }
    }
    for (Block b : rowBlocks) {
      try {
        for (LogLinearHistogram row : ThreadCells.histogramRows(b)) {
          out.merge(b.name(), row.snapshot(), HistogramSnapshot::plus);
        }
      } catch (IllegalArgumentException bad) {
        throw new BarrelFormatException(path, "histogram rows '" + b.name() + "': " + bad.getMessage());
      }
    }
    return out;
  }

  /** Every block in the file (for readers). */
  public synchronized List<Block> blocks() throws IOException {
    refreshExtents();
    List<Block> out = new ArrayList<>();
    for (Extent x : extents) {
      if (x.type == TYPE_BLOCK && (int) INT.getAcquire(x.buf, BLOCK_META + M_STATE) == STATE_ALLOCATED) {
        String name = readString(x.buf, BLOCK_META + M_NAME, x.buf.getShort(BLOCK_META + M_NAME_LENGTH));
        out.add(new Block(name, x.buf.getInt(BLOCK_META + M_BLOCK_TYPE), x.buf, BLOCK_PAYLOAD, x.length - BLOCK_PAYLOAD));
      }
    }
    return out;
  }

  /** Visits an allocated record: extent, slot number, record offset; returns true to stop. */
  private interface RecordVisitor {
    boolean visit(Extent x, int n, int m);
  }

  /**
   * Visits every allocated record of {@code kind} in the counter extents mapped now, in file
   * order, until the visitor returns true; returns {@code extent << 32 | slot} of that record,
   * or -1. Caller holds the monitor.
   */
  private long scanRecords(int kind, RecordVisitor visitor) {
    for (Extent x : extents) {
      if (x.type != TYPE_COUNTERS) {
        continue;
      }
      for (int n = 0; n < SLOTS_PER_EXTENT; n++) {
        int m = META_OFFSET + n * META_LENGTH;
        if ((int) INT.getAcquire(x.buf, m + M_STATE) == STATE_ALLOCATED
            && x.buf.getInt(m + M_KIND) == kind && visitor.visit(x, n, m)) {
          return ((long) x.index << 32) | n;
        }
      }
    }
    return -1;
  }

  /**
   * Finds (by kind, name, label and, for gauges, owner) or allocates a slot; returns {@code
   * extent << 32 | slot}.
   */
  private long register(int kind, long owner, String name, String label, boolean matchOwner) {
    checkName(name, label);
    checkWritable();
    try {
      return registerLocked(kind, owner, name, label, matchOwner);
    } catch (RuntimeException e) {
      registrationFailures.incrementAndGet();
      throw e;
    }
  }

  private long registerLocked(int kind, long owner, String name, String label, boolean matchOwner) {
    return withFileLock(() -> {
      refreshExtents();
      long found = scanRecords(kind, (x, n, m) -> !isCell(x.buf, m)
          && (!matchOwner || x.buf.getLong(m + M_OWNER) == owner) && recordMatches(x.buf, m, name, label));
      if (found >= 0) {
        return found;
      }
      return allocateSlot(kind, owner, name, label, 0, 0L);
    });
  }

  /**
   * Allocates a slot (growing the file when every slot is taken), zeroes its value and publishes
   * its record; returns {@code extent << 32 | slot}. Caller holds the file lock.
   */
  private long allocateSlot(int kind, long owner, String name, String label, int flags, long lessee) throws IOException {
    for (int attempt = 0; attempt < 2; attempt++) {
      for (Extent x : extents) {
        if (x.type == TYPE_COUNTERS) {
          int n = x.allocator.allocate(owner);
          if (n >= 0) {
            LONG.setVolatile(x.buf, VALUES_OFFSET + n * SLOT_SIZE, 0L);
            writeRecord(x.buf, META_OFFSET + n * META_LENGTH, kind, owner, name, label, flags, lessee);
            return ((long) x.index << 32) | n;
          }
        }
      }
      appendExtent(channel, header, TYPE_COUNTERS, COUNTER_EXTENT_LENGTH, null);
      refreshExtents();
    }
    throw new IllegalStateException(path + ": no free slot after growing the file");
  }

  /** True when the record at {@code m} is a cell (one per-thread part of a counter or gauge). */
  private static boolean isCell(ByteBuffer buf, int m) {
    return (buf.getInt(m + M_FLAGS) & FLAG_CELL) != 0;
  }

  private void writeRecord(ByteBuffer buf, int m, int kind, long owner, String name, String label) {
    writeRecord(buf, m, kind, owner, name, label, 0, 0L);
  }

  private void writeRecord(ByteBuffer buf, int m, int kind, long owner, String name, String label, int flags, long lessee) {
    INT.setVolatile(buf, m + M_STATE, STATE_WRITING);
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] l = label.getBytes(StandardCharsets.UTF_8);
    long registration = (long) LONG.getAndAdd(header, H_NEXT_REGISTRATION, 1L);
    buf.putInt(m + M_KIND, kind);
    buf.putLong(m + M_OWNER, owner);
    buf.putLong(m + M_REGISTRATION, registration);
    buf.putLong(m + M_REGISTERED_AT, System.currentTimeMillis());
    buf.putShort(m + M_NAME_LENGTH, (short) n.length);
    buf.putShort(m + M_LABEL_LENGTH, (short) l.length);
    buf.putInt(m + M_FLAGS, flags);
    buf.putInt(m + M_FLAGS + 4, 0);
    buf.putLong(m + M_LESSEE, lessee);
    buf.putLong(m + M_LESSEE + 8, lessee == 0 ? 0L : PID_NAMESPACE);
    // bulk puts: a lease writes several records while still running interpreted
    buf.put(m + M_NAME, n).put(m + M_NAME + n.length, ZEROS, 0, NAME_MAX - n.length);
    buf.put(m + M_LABEL, l).put(m + M_LABEL + l.length, ZEROS, 0, LABEL_MAX - l.length);
    INT.setRelease(buf, m + M_STATE, STATE_ALLOCATED);
  }

  private static final byte[] ZEROS = new byte[Math.max(NAME_MAX, LABEL_MAX)];

  private static boolean recordMatches(ByteBuffer buf, int m, String name, String label) {
    return name.equals(readString(buf, m + M_NAME, buf.getShort(m + M_NAME_LENGTH)))
        && label.equals(readString(buf, m + M_LABEL, buf.getShort(m + M_LABEL_LENGTH)));
  }

  private static String readString(ByteBuffer buf, int offset, int length) {
    byte[] b = new byte[Math.max(0, Math.min(length, 255))];
    buf.get(offset, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void checkName(String name, String label) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("counter name must not be empty");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
      throw new IllegalArgumentException("counter name longer than " + NAME_MAX + " bytes: '" + name + "'");
    }
    if (label == null || label.getBytes(StandardCharsets.UTF_8).length > LABEL_MAX) {
      throw new IllegalArgumentException("label longer than " + LABEL_MAX + " bytes: '" + label + "'");
    }
    if (name.indexOf('\0') >= 0 || label.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("names and labels must not contain NUL: '" + name + "'");
    }
  }

  private static String key(String name, String label) {
    return name + '\0' + label;
  }

  private ByteBuffer valueBuffer(long slot) {
    return extentAt((int) (slot >>> 32)).buf;
  }

  private static int valueIndex(long slot) {
    return VALUES_OFFSET + (int) slot * SLOT_SIZE;
  }

  private synchronized Extent extentAt(int index) {
    return extents.get(index);
  }

  // ------------------------------------------------------------------------------------------
  // Cells (per-thread parts of counters, gauges and histograms; see ThreadCells)

  /** What one thread row leased: the value buffer and index of each cell, and a histogram row. */
  static final class RowLease {
    final ByteBuffer[] buffers;
    final int[] indexes;
    /** The leased histogram row, or null when none could be had (the caller uses the shared one). */
    final LogLinearHistogram histogram;

    RowLease(ByteBuffer[] buffers, int[] indexes, LogLinearHistogram histogram) {
      this.buffers = buffers;
      this.indexes = indexes;
      this.histogram = histogram;
    }
  }

  /** The state flag every handle checks (ThreadCells rows check it too). */
  Handle.State handleState() {
    return state;
  }

  /**
   * Leases one thread row, in one hold of the file lock: for each counter name a counter cell
   * (one whose lessee is none or a dead process is adopted with its value, else a new one is
   * allocated), for each gauge name a new gauge cell owned by this process, and, when {@code
   * histogram} is not null, a row of that histogram (null in the lease when the file cannot
   * grow). Raises a version 1 file to version 2 first. If a cell cannot be had, what was leased is
   * given back and the exception thrown.
   */
  RowLease leaseRow(String[] counterNames, String[] gaugeNames, String histogramName, HistogramLayout layout) {
    checkWritable();
    synchronized (this) {
      return withFileLock(() -> {
        refreshExtents();
        if ((int) INT.getAcquire(header, H_VERSION) < VERSION) {
          INT.setRelease(header, H_VERSION, VERSION); // old readers would show one cell as the counter
        }
        Map<Long, Boolean> alive = new java.util.HashMap<>();
        int c = counterNames.length;
        long[] slots = new long[c + gaugeNames.length];
        long[] adoptable = findAdoptableCells(counterNames, alive);
        int done = 0;
        try {
          for (; done < slots.length; done++) {
            slots[done] = done < c
                ? leaseCounterCell(counterNames[done], adoptable[done])
                : allocateSlot(KIND_GAUGE, stamp, gaugeNames[done - c], "", FLAG_CELL, stamp);
          }
        } catch (IOException | RuntimeException e) {
          for (int i = 0; i < done; i++) {
            giveBackCell(slots[i]);
          }
          throw e;
        }
        ByteBuffer[] buffers = new ByteBuffer[slots.length];
        int[] indexes = new int[slots.length];
        for (int i = 0; i < slots.length; i++) {
          buffers[i] = extents.get((int) (slots[i] >>> 32)).buf;
          indexes[i] = valueIndex(slots[i]);
        }
        LogLinearHistogram row = null;
        if (histogramName != null) {
          try {
            row = leaseHistogramRow(histogramName, layout, alive);
          } catch (IOException | IllegalStateException full) {
            registrationFailures.incrementAndGet(); // the row's thread records into the shared histogram
          }
        }
        return new RowLease(buffers, indexes, row);
      });
    }
  }

  /**
   * This process's pid namespace (see {@link ProcessIdentity#pidNamespace()}), written beside each
   * lessee stamp: a stamp only names a process in the namespace it was written in.
   */
  private static final long PID_NAMESPACE = ProcessIdentity.pidNamespace();

  /**
   * Writes a lessee stamp at {@code at} and its pid namespace at {@code at + 8} (0 and 0 for none).
   * Caller holds the file lock.
   */
  private static void setLessee(ByteBuffer buf, int at, long lessee) {
    buf.putLong(at + 8, lessee == 0 ? 0L : PID_NAMESPACE);
    LONG.setRelease(buf, at, lessee);
  }

  /** True when the cell or row whose lessee stamp is at {@code at} may be taken over by this process. */
  private boolean adoptable(ByteBuffer buf, int at, Map<Long, Boolean> alive) {
    return adoptable((long) LONG.getAcquire(buf, at), buf.getLong(at + 8), stamp, PID_NAMESPACE,
        lessee -> alive.computeIfAbsent(lessee, ProcessIdentity::isAlive));
  }

  /**
   * The adoption rule: a cell with no lessee, or one whose lessee is another process that is dead
   * <em>by a stamp of this pid namespace</em>. A lessee written from another namespace (two
   * containers sharing one {@code file=}) cannot be judged from here (its pid means another process
   * or none): its cells are left alone, still counted, never written by two processes.
   */
  static boolean adoptable(long lessee, long lesseeNamespace, long self, long ownNamespace,
      java.util.function.LongPredicate isAlive) {
    return lessee == 0 || (lessee != self && lesseeNamespace == ownNamespace && !isAlive.test(lessee));
  }

  /**
   * One pass over the counter records: for each name, an adoptable cell of that name ({@code
   * extent << 32 | slot}) or -1. Caller holds the file lock.
   */
  private long[] findAdoptableCells(String[] names, Map<Long, Boolean> alive) {
    long[] found = new long[names.length];
    java.util.Arrays.fill(found, -1L);
    if (names.length == 0) {
      return found;
    }
    scanRecords(KIND_COUNTER, (x, n, m) -> {
      if (isCell(x.buf, m) && x.buf.getShort(m + M_LABEL_LENGTH) == 0
          && adoptable(x.buf, m + M_LESSEE, alive)) {
        String name = readString(x.buf, m + M_NAME, x.buf.getShort(m + M_NAME_LENGTH));
        for (int i = 0; i < names.length; i++) {
          if (found[i] < 0 && names[i].equals(name)) {
            found[i] = ((long) x.index << 32) | n;
            break;
          }
        }
      }
      return false;
    });
    return found;
  }

  /** Adopts the cell {@code found} (if not -1) or allocates a counter cell of {@code name}. Caller holds the lock. */
  private long leaseCounterCell(String name, long found) throws IOException {
    if (found >= 0) {
      setLessee(extents.get((int) (found >>> 32)).buf, META_OFFSET + (int) found * META_LENGTH + M_LESSEE, stamp);
      return found;
    }
    return allocateSlot(KIND_COUNTER, NumberAllocator.FILE_OWNER, name, "", FLAG_CELL, stamp);
  }

  /** Undoes one cell of a lease that failed half-way: a counter cell loses its lessee, a gauge cell is freed. */
  private void giveBackCell(long slot) {
    Extent x = extents.get((int) (slot >>> 32));
    int n = (int) slot;
    if (x.allocator.owner(n) == stamp) {
      clearSlot(x.buf, n);
      x.allocator.free(n, stamp);
    } else {
      setLessee(x.buf, META_OFFSET + n * META_LENGTH + M_LESSEE, 0L);
    }
  }

  /**
   * Adopts a free row of a histogram row block of {@code name} (same layout), or appends a new
   * block of {@link ThreadCells#ROWS_PER_BLOCK} rows and takes its first. Caller holds the lock.
   */
  private LogLinearHistogram leaseHistogramRow(String name, HistogramLayout layout, Map<Long, Boolean> alive)
      throws IOException {
    for (Extent x : extents) {
      if (isRowBlock(x, name)) {
        Block b = rowBlock(x, name);
        int rows = ThreadCells.rowCount(b);
        for (int r = 0; r < rows; r++) {
          int lesseeAt = ThreadCells.lesseeOffset(b, r);
          if (adoptable(x.buf, lesseeAt, alive)) {
            LogLinearHistogram h = LogLinearHistogram.wrap(x.buf, ThreadCells.regionOffset(b, r), ThreadCells.regionLength(b));
            if (!h.layout().equals(layout)) {
              break; // rows of another layout (not made from this histogram): not ours to merge into
            }
            setLessee(x.buf, lesseeAt, stamp);
            return h;
          }
        }
      }
    }
    int payload = ThreadCells.rowBlockPayloadLength(layout);
    int length = blockExtentLength(payload);
    MappedByteBuffer buf = appendExtent(channel, header, TYPE_BLOCK, length, x -> {
      Block b = new Block(name, HISTOGRAM_ROWS_BLOCK, x, BLOCK_PAYLOAD, length - BLOCK_PAYLOAD);
      ThreadCells.formatRowBlock(b, layout);
      setLessee(x, ThreadCells.lesseeOffset(b, 0), stamp);
      x.putInt(BLOCK_META + M_BLOCK_TYPE, HISTOGRAM_ROWS_BLOCK);
      writeRecord(x, BLOCK_META, KIND_BLOCK, NumberAllocator.FILE_OWNER, name, "");
    });
    refreshExtents();
    Block b = new Block(name, HISTOGRAM_ROWS_BLOCK, buf, BLOCK_PAYLOAD, length - BLOCK_PAYLOAD);
    return LogLinearHistogram.wrap(buf, ThreadCells.regionOffset(b, 0), ThreadCells.regionLength(b));
  }

  private static boolean isRowBlock(Extent x, String name) {
    return x.type == TYPE_BLOCK && (int) INT.getAcquire(x.buf, BLOCK_META + M_STATE) == STATE_ALLOCATED
        && x.buf.getInt(BLOCK_META + M_BLOCK_TYPE) == HISTOGRAM_ROWS_BLOCK
        && (name == null || name.equals(readString(x.buf, BLOCK_META + M_NAME, x.buf.getShort(BLOCK_META + M_NAME_LENGTH))));
  }

  private static Block rowBlock(Extent x, String name) {
    return new Block(name, HISTOGRAM_ROWS_BLOCK, x.buf, BLOCK_PAYLOAD, x.length - BLOCK_PAYLOAD);
  }

  /** On close: this process's histogram rows lose their lessee (they keep their values). Caller holds the lock. */
  private void releaseHistogramRows() {
    for (Extent x : extents) {
      if (isRowBlock(x, null)) {
        Block b = rowBlock(x, "");
        int rows = ThreadCells.rowCount(b);
        for (int r = 0; r < rows; r++) {
          int lesseeAt = ThreadCells.lesseeOffset(b, r);
          if ((long) LONG.getAcquire(x.buf, lesseeAt) == stamp) {
            setLessee(x.buf, lesseeAt, 0L);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Reading

  /**
   * Every allocated counter and gauge record in the file, raw (one entry per slot: gauges not
   * summed, cells listed apart from their base record), in file order: what tests use to see
   * exactly what the file holds.
   */
  public synchronized List<BarrelSlot> slots() throws IOException {
    checkOpen();
    refreshExtents();
    List<BarrelSlot> out = new ArrayList<>();
    for (int kind : new int[] {KIND_COUNTER, KIND_GAUGE}) {
      BarrelEntry.Kind k = kind == KIND_COUNTER ? BarrelEntry.Kind.COUNTER : BarrelEntry.Kind.GAUGE;
      scanRecords(kind, (x, n, m) -> !out.add(new BarrelSlot(x.index * SLOTS_PER_EXTENT + n, k,
          readString(x.buf, m + M_NAME, x.buf.getShort(m + M_NAME_LENGTH)),
          readString(x.buf, m + M_LABEL, x.buf.getShort(m + M_LABEL_LENGTH)),
          x.buf.getLong(m + M_OWNER), x.buf.getLong(m + M_REGISTRATION),
          (long) LONG.getAcquire(x.buf, VALUES_OFFSET + n * SLOT_SIZE), isCell(x.buf, m))));
    }
    out.sort(java.util.Comparator.comparingInt(BarrelSlot::number));
    return out;
  }

  /**
   * Every counter and gauge in the file, in the order of its first slot. A counter appears once
   * per (name, label) with the sum of its base record and its cells (unsigned 64-bit, wrapping);
   * a gauge once per (name, label) with the sum of its live owners' records (base and cells),
   * {@link BarrelEntry#owners()} counting each live process once. Dead owners' records are
   * ignored even before reclaim.
   */
  public List<BarrelEntry> entries() throws IOException {
    Map<String, BarrelEntry> out = new LinkedHashMap<>();
    Map<String, java.util.Set<Long>> owners = new java.util.HashMap<>();
    Map<Long, Boolean> alive = new java.util.HashMap<>();
    for (BarrelSlot s : slots()) {
      if (s.kind() == BarrelEntry.Kind.COUNTER) {
        String k = "c" + key(s.name(), s.label());
        BarrelEntry prev = out.get(k);
        out.put(k, new BarrelEntry(s.kind(), s.name(), s.label(), (prev == null ? 0 : prev.value()) + s.value(), 0));
      } else {
        boolean live = alive.computeIfAbsent(s.owner(), ProcessIdentity::isAlive);
        String k = "g" + key(s.name(), s.label());
        java.util.Set<Long> liveOwners = owners.computeIfAbsent(k, x -> new java.util.HashSet<>());
        if (live) {
          liveOwners.add(s.owner());
        }
        BarrelEntry prev = out.get(k);
        long sum = (prev == null ? 0 : prev.value()) + (live ? s.value() : 0);
        out.put(k, new BarrelEntry(s.kind(), s.name(), s.label(), sum, liveOwners.size()));
      }
    }
    return new ArrayList<>(out.values());
  }

  /** Sum of the counter's base record and its cells (unsigned 64-bit, wrapping). */
  long counterSum(String name, String label) {
    return sumRecords(KIND_COUNTER, name, label, false);
  }

  /** Sum of the gauge's records (base and cells) over live owners. */
  long gaugeSum(String name, String label) {
    return sumRecords(KIND_GAUGE, name, label, true);
  }

  /** Sum of the records of {@code kind}, {@code name} and {@code label} (only live owners' if asked). */
  private synchronized long sumRecords(int kind, String name, String label, boolean liveOwnersOnly) {
    try {
      refreshExtents();
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    long[] sum = {0};
    scanRecords(kind, (x, n, m) -> {
      if (recordMatches(x.buf, m, name, label)
          && (!liveOwnersOnly || ProcessIdentity.isAlive(x.buf.getLong(m + M_OWNER)))) {
        sum[0] += (long) LONG.getAcquire(x.buf, VALUES_OFFSET + n * SLOT_SIZE);
      }
      return false;
    });
    return sum[0];
  }

  /** The processes attached to this file now (live or not yet reclaimed). */
  public synchronized List<Attachment> attachments() {
    checkOpen();
    return AttachTable.list(header);
  }

  /** Slot capacity of the file's counter extents as mapped now. */
  public synchronized int slotCapacity() {
    int c = 0;
    for (Extent x : extents) {
      c += x.type == TYPE_COUNTERS ? SLOTS_PER_EXTENT : 0;
    }
    return c;
  }

  /** Slots in use (counters and gauges of every owner). */
  public synchronized int slotsUsed() {
    int used = 0;
    for (Extent x : extents) {
      used += x.type == TYPE_COUNTERS ? x.allocator.used() : 0;
    }
    return used;
  }

  /**
   * Slot and block records ever written into the file, by every process (the header's
   * registration sequence): how many allocations the file's slot allocators have served.
   */
  public long registrations() {
    return (long) LONG.getAcquire(header, H_NEXT_REGISTRATION) - 1L;
  }

  /** Registrations of this handle that failed (file full, I/O error), since it was opened. */
  public long registrationFailures() {
    return registrationFailures.get();
  }

  /** Pid of the process that created the file. */
  public long creatorPid() {
    return ProcessIdentity.pid(header.getLong(H_CREATOR));
  }

  /** The file's path. */
  public Path path() {
    return path;
  }

  /** True when opened with {@link #openReadOnly}. */
  public boolean isReadOnly() {
    return readOnly;
  }

  // ------------------------------------------------------------------------------------------
  // Reclaim, removal, attach table

  /**
   * Zeroes and frees every gauge slot (gauge cells included) whose owner process is gone (pid
   * and start time checked), and clears their attach entries. Counters and counter cells are never
   * touched: a dead process's counter cells keep their values and are adopted by the next lease.
   * Returns the slots freed.
   */
  public int reclaimDeadOwners() {
    checkWritable();
    synchronized (this) {
      return withFileLock(() -> {
        refreshExtents();
        int freed = 0;
        for (Extent x : extents) {
          if (x.type == TYPE_COUNTERS) {
            freed += x.allocator.reclaim(owner -> !ProcessIdentity.isAlive(owner), n -> clearSlot(x.buf, n));
          }
        }
        AttachTable.clearDead(header);
        return freed;
      });
    }
  }

  /**
   * Removes a counter from the file: its slot is zeroed and may be reused. Handles to it held in
   * other processes keep writing to the old slot, so remove only counters nobody uses any more.
   * Only the base record is removed: cells leased to threads ({@link ThreadCells}) stay, and
   * readers go on showing their sum.
   *
   * @return true if the counter existed
   */
  public boolean removeCounter(String name, String label) {
    checkName(name, label);
    checkWritable();
    synchronized (this) {
      counters.remove(key(name, label));
      return withFileLock(() -> {
        refreshExtents();
        return scanRecords(KIND_COUNTER, (x, n, m) -> {
          if (isCell(x.buf, m) || !recordMatches(x.buf, m, name, label)) {
            return false;
          }
          clearSlot(x.buf, n);
          x.allocator.free(n, NumberAllocator.FILE_OWNER);
          return true;
        }) >= 0;
      });
    }
  }

  /**
   * Frees this process's slot of a gauge (e.g. a listener that closed), so readers stop listing
   * it. The {@link Gauge} handle obtained before must not be used afterwards: it would write into
   * a slot that may have been handed to someone else.
   *
   * @return true if this process had the gauge
   */
  public boolean removeGauge(String name, String label) {
    checkName(name, label);
    checkWritable();
    synchronized (this) {
      if (gauges.remove(key(name, label)) == null) {
        return false;
      }
      return withFileLock(() -> {
        refreshExtents();
        for (Extent x : extents) {
          if (x.type != TYPE_COUNTERS) {
            continue;
          }
          for (int n = 0; n < SLOTS_PER_EXTENT; n++) {
            int m = META_OFFSET + n * META_LENGTH;
            if ((int) INT.getAcquire(x.buf, m + M_STATE) == STATE_ALLOCATED
                && x.buf.getInt(m + M_KIND) == KIND_GAUGE && x.buf.getLong(m + M_OWNER) == stamp
                && !isCell(x.buf, m) && recordMatches(x.buf, m, name, label)) {
              clearSlot(x.buf, n);
              x.allocator.free(n, stamp);
              return true;
            }
          }
        }
        return false;
      });
    }
  }

  /** Unpublishes a slot's record, then zeroes its value. */
  private static void clearSlot(ByteBuffer buf, int n) {
    int m = META_OFFSET + n * META_LENGTH;
    INT.setRelease(buf, m + M_STATE, STATE_UNUSED);
    LONG.setVolatile(buf, VALUES_OFFSET + n * SLOT_SIZE, 0L);
  }

  // ------------------------------------------------------------------------------------------
  // Life cycle

  /**
   * Frees this process's gauge slots (and gauge cells) and attach entry, gives up the leases of
   * its counter cells and histogram rows (they keep their values, for the next process to adopt)
   * and closes the file. Counters stay in the file. Every handle obtained from this Barrel throws {@link IllegalStateException} afterwards.
   */
  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (state.closed) {
        return;
      }
      state.closed = true;
      try {
        if (!readOnly) {
          withFileLock(() -> {
            for (Extent x : extents) {
              if (x.type != TYPE_COUNTERS) {
                continue;
              }
              for (int n = 0; n < SLOTS_PER_EXTENT; n++) {
                int m = META_OFFSET + n * META_LENGTH;
                if (x.allocator.owner(n) == stamp) {
                  clearSlot(x.buf, n); // gauges and gauge cells
                  x.allocator.free(n, stamp);
                } else if ((int) INT.getAcquire(x.buf, m + M_STATE) == STATE_ALLOCATED
                    && (long) LONG.getAcquire(x.buf, m + M_LESSEE) == stamp) {
                  setLessee(x.buf, m + M_LESSEE, 0L); // a counter cell: keeps its value, adoptable
                }
              }
            }
            releaseHistogramRows();
            AttachTable.release(header, attachEntry, stamp);
            return null;
          });
        }
      } finally {
        channel.close(); // drops the liveness lock
        unregister(fileKey);
      }
    }
  }

  private void checkOpen() {
    if (state.closed) {
      throw new IllegalStateException(path + ": barrel is closed");
    }
  }

  private void checkWritable() {
    checkOpen();
    if (readOnly) {
      throw new IllegalStateException(path + ": opened read-only");
    }
  }

  private interface LockedAction<T> {
    T run() throws IOException;
  }

  private <T> T withFileLock(LockedAction<T> action) {
    synchronized (JVM_LOCK) {
      try (FileLock lock = lockStructure(channel)) {
        return action.run();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(path + ": " + e.getMessage(), e);
      }
    }
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for a barrel to be initialised");
    }
  }

  @Override
  public String toString() {
    return "Barrel[" + path + (readOnly ? ", read-only" : "") + "]";
  }

  /** Name, label and the shared closed flag that every handle checks. */
  static final class Handle {
    static final class State {
      volatile boolean closed;
    }

    final State state;
    final String name;
    final String label;

    Handle(State state, String name, String label) {
      this.state = state;
      this.name = name;
      this.label = label;
    }

    void checkOpen() {
      if (state.closed) {
        throw new IllegalStateException("barrel closed: " + name + " can no longer be used");
      }
    }
  }
}
