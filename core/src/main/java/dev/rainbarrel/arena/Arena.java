package dev.rainbarrel.arena;

import dev.rainbarrel.alloc.AllocatorRegistry;
import dev.rainbarrel.alloc.AllocatorStats;
import dev.rainbarrel.shm.ProcessIdentity;
import dev.rainbarrel.shm.SecureFiles;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A lock-free, recoverable arena allocator over a (usually shared, memory-mapped) region: rarena's
 * design (CAS bump pointer, size-ordered lock-free freelist, header with magic, version and
 * freelist kind) with its holes closed: owner-stamped blocks that are reclaimed when their process
 * dies, traversals that help unlink instead of spinning, bounded waits that fail with a
 * diagnostic, and an attached-process table so that reopening never zeroes memory in use.
 *
 * <h2>Region layout</h2>
 *
 * <pre>
 *   0                   8        12       16                  24                  32
 *  +-------------------+--------+--------+-------------------+-------------------+
 *  | magic 'RBARENA1'  |version | kind   | capacity (bytes)  | data offset       |
 *  +-------------------+--------+--------+-------------------+-------------------+
 *   32                  40       44       48                  56                  64
 *  +-------------------+--------+--------+-------------------+-------------------+
 *  | min segment size  | slots  | hdrlen | creator stamp     | (reserved)        |
 *  +-------------------+--------+--------+-------------------+-------------------+
 *   64: bump word (own cache line)       128: freelist head link, 136: return epoch
 *  192: shared statistics, 8 bytes each: allocations, frees, failures, discarded bytes,
 *       reclaimed blocks, (reserved, 0), freelist bytes
 *  256: process table, slots x 8 bytes (owner stamp of the attached process, 0 = free)
 *  data offset (64-aligned): blocks, contiguous up to the bump pointer
 * </pre>
 *
 * <h2>Block layout</h2>
 *
 * <pre>
 *   0                                  8                                   16
 *  +----------------------------------+-----------------------------------+------------
 *  | meta: check(8) slot(10) size(37) |  link: tag(24) next offset(37)    | payload ...
 *  |       state(3)                   |        mark(1)                    |
 *  +----------------------------------+-----------------------------------+------------
 * </pre>
 *
 * Bits 50-55 of the meta word are reserved (0). The meta word's high byte is the constant
 * {@code 0xB7} so that garbage is recognised; the owner
 * slot (1-based index into the process table, 0 = none) is what makes blocks of a dead process
 * reclaimable. The link word is used while the block is in the freelist; its 24-bit tag is
 * incremented by every write, so a stale compare-and-set can never succeed (ABA).
 *
 * <h2>Bump word</h2>
 *
 * {@code offset/8 (32 bits) | size/8 of the last bump allocation (22 bits) | its owner slot (10 bits)}.
 * The next allocator waits (bounded) until the last block's header is published, helps publish
 * it when its owner is dead, and only then moves the bump pointer; hence every block below the
 * bump pointer is walkable. The last allocation is returned straight to the bump pointer.
 *
 * <h2>Thread regions (format version 2)</h2>
 *
 * A thread's small allocations come from its own <em>region</em>: a block in state {@code REGION}
 * claimed from the bump pointer like any other block ({@link Options#threadRegionSize}, default
 * 64 KiB), whose link word is the region's own bump word. Inside, blocks have the ordinary
 * 16-byte header and lie contiguously from the region header to the region's top:
 *
 * <pre>
 *  region offset r                          r+16                                      r+size
 *  +---------------------+------------------+---------+---------+- ... -+------------+
 *  | meta: size, owner,  | region word:     | block   | block   |       | unused     |
 *  |       state REGION  | top/8 | last/8   | (hdr +  | (hdr +  |       | (top..end) |
 *  +---------------------+------------------+ payload)| payload)|       |            |
 * </pre>
 *
 * Only the owning thread allocates in a region, with two plain release stores (the block's
 * header, then the region word) and no atomic read-modify-write; its most recent allocation goes
 * back to the region's top on free. Everything below {@code top - last} never changes layout
 * again, so walkers need no epoch for regions. A free by any other thread, or of another block,
 * goes to the shared freelist as before. When a region is full, its owner thread dies, the handle
 * closes or the owning process dies (reclaim), the region is <em>retired</em>: its unused tail
 * becomes an ordinary block (freelist or discarded) and the region's owner slot becomes 0.
 *
 * <p>All words are little-endian and accessed with {@link VarHandle} atomics, coherent between
 * processes mapping the same file. The full protocol is in {@code docs/ALLOCATORS.md}.
 */
public final class Arena implements AutoCloseable, AllocatorStats {

  /** Freelist policy, stored in the header. */
  public enum Freelist {
    /** No freelist: freed blocks other than the last one are discarded (counted). */
    NONE,
    /** Ordered by size, largest first; allocation takes the head and splits it. */
    OPTIMISTIC,
    /** Ordered by size, smallest first; allocation takes the first segment that fits. */
    PESSIMISTIC
  }

  /** Returned by {@link #allocate} when neither the bump region nor the freelist can satisfy it. */
  public static final long NO_SPACE = -1;

  /**
   * Format version written by this library; files with a higher one are refused. Version 2 added
   * thread regions; a version 1 file is used without them, so older readers stay correct.
   */
  public static final int VERSION = 2;
  /** First format version whose files may contain thread regions. */
  static final int REGION_VERSION = 2;

  static final long MAGIC = 0x3141_4E45_5241_4252L; // "RBARENA1" little-endian
  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = 8;
  static final int KIND_OFFSET = 12;
  static final int CAPACITY_OFFSET = 16;
  static final int DATA_OFFSET_OFFSET = 24;
  static final int MIN_SEGMENT_OFFSET = 32;
  static final int SLOTS_OFFSET = 40;
  static final int HEADER_LENGTH_OFFSET = 44;
  static final int CREATOR_OFFSET = 48;
  static final int BUMP_OFFSET = 64;
  static final int HEAD_OFFSET = 128;
  static final int EPOCH_OFFSET = 136;
  static final int STATS_OFFSET = 192;
  static final int ALLOCATIONS = STATS_OFFSET;
  static final int FREES = STATS_OFFSET + 8;
  static final int FAILURES = STATS_OFFSET + 16;
  static final int DISCARDED = STATS_OFFSET + 24;
  static final int RECLAIMED = STATS_OFFSET + 32;
  /** Reserved (was a used-bytes counter; used bytes are now derived, see {@link #statsSnapshot}). */
  static final int RESERVED_STAT = STATS_OFFSET + 40;
  static final int FREELIST_BYTES = STATS_OFFSET + 48;
  static final int TABLE_OFFSET = 256;
  /** Fixed header length; the process table follows. */
  public static final int HEADER_LENGTH = TABLE_OFFSET;

  static final int BLOCK_HEADER = 16;
  static final int LINK = 8;
  static final int MIN_BLOCK = BLOCK_HEADER + 8;
  /** Largest block the bump word can describe (22 bits of 8-byte units). */
  static final int MAX_BLOCK = ((1 << 22) - 1) * 8;
  /** Largest payload one allocation may ask for. */
  public static final long MAX_ALLOCATION = MAX_BLOCK - BLOCK_HEADER;
  /** Smallest thread region; a smaller effective size turns regions off. */
  static final int MIN_REGION = 1024;
  static final int DEFAULT_REGION = 64 * 1024;
  /** Most process slots the 10-bit owner field can name. */
  public static final int MAX_SLOTS = (1 << 10) - 1;

  // meta word
  static final long CHECK = 0xB7L << 56;
  static final long CHECK_MASK = 0xFFL << 56;
  static final long SIZE_MASK = 0x0000_00FF_FFFF_FFF8L;
  static final int SLOT_SHIFT = 40;
  static final long SLOT_MASK = 0x3FF;
  static final int STATE_MASK = 7;
  static final int ALLOCATED = 1;
  static final int FREE = 2;
  static final int DETACHED = 3;
  static final int DISCARDED_STATE = 4;
  static final int TAKING = 5;
  static final int RETURNING = 6;
  static final int REGION = 7;

  // link word
  static final long MARK = 1;
  static final long OFFSET_MASK = 0x0000_00FF_FFFF_FFF8L;
  static final int TAG_SHIFT = 40;

  private static final VarHandle LONG =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** Zeros copied over a payload returned to the bump pointer (a bulk copy, not 8-byte stores). */
  private static final byte[] ZEROS = new byte[4096];
  /** Blocks up to this size are wiped with word stores: cheaper than a bulk copy's set-up. */
  private static final int SMALL_WIPE = 256;

  // Per-thread tally of a handle (ThreadCursor): counts not yet added to the shared statistics.
  private static final int T_ALLOCATIONS = ThreadCursor.ALLOCATIONS;
  private static final int T_FREES = ThreadCursor.FREES;
  private static final int T_FAILURES = ThreadCursor.FAILURES;
  /**
   * Operations of one kind (allocations, frees, failures) a thread counts locally before it adds
   * its whole tally to the shared statistics.
   */
  static final int PUBLISH_EVERY = 256;

  private final String name;
  private final ByteBuffer buf;
  private final FileChannel channel;
  private final int capacity;
  private final int dataOffset;
  private final Freelist kind;
  private final int minSegment;
  private final int slots;
  private final long waitNanos;
  private final int mySlot;
  /** Upper bound of the freelist length: a longer traversal is on a stale path, or a cycle. */
  private final int maxNodes;
  private volatile boolean closed;
  /** Membership in the process's allocator registry; set once right after construction. */
  private AllocatorRegistry.Registration registration;
  /**
   * Allocations, frees and failures are counted per thread with opaque stores and added to the
   * shared header when one of its counts reaches {@link #PUBLISH_EVERY} and on {@link #close};
   * {@link #statsSnapshot} adds the unpublished tallies of this handle. An atomic add into a
   * shared cache line on every operation cost more than the allocation itself, and with several
   * threads that line bounced between cores.
   */
  private final ThreadLocal<ThreadCursor> cursor = ThreadLocal.withInitial(this::newCursor);
  /** Every thread's cursor of this handle (tallies to add up, regions to retire on close). */
  private final Queue<ThreadCursor> cursors = new ConcurrentLinkedQueue<>();
  /**
   * The thread that opened the handle usually uses it: its cursor is reached through a final
   * field instead of the {@code ThreadLocal} lookup (two per allocate+free).
   */
  private final Thread opener = Thread.currentThread();
  private final ThreadCursor openerCursor = newCursor();
  /**
   * The other threads' cursors by thread id (masked): a slot is claimed once by the first thread
   * that maps to it (compare-and-set of its thread) and cleared when that thread has ended, so a
   * worker pool's threads (consecutive ids) find their cursor with two independent array reads
   * instead of a {@code ThreadLocal} lookup (27 instead of 30-33 ns for a two-thread allocate +
   * free, ArenaBumpBenchmark; two plain arrays instead of an {@code AtomicReferenceArray} whose
   * element had to be loaded before its thread could be compared took one more ns per lookup). A
   * thread whose slot is taken uses the {@code ThreadLocal}. Plain reads are safe: only thread
   * {@code t} writes {@code t} into {@code slotThreads}, and it writes its cursor after that, so a
   * thread that finds itself there reads the cursor it wrote.
   */
  private final Thread[] slotThreads = new Thread[CURSOR_SLOTS];
  private final ThreadCursor[] slotCursors = new ThreadCursor[CURSOR_SLOTS];
  private static final int CURSOR_SLOTS = 64;
  private static final VarHandle SLOT_THREAD = MethodHandles.arrayElementVarHandle(Thread[].class);
  /** Size of a new thread region, 0 when this handle allocates without regions. */
  private final int regionSize;
  /** Largest allocation a thread region serves (a quarter of it; 0 without regions). */
  private final long regionPayloadLimit;

  private Arena(String name, ByteBuffer buf, FileChannel channel, Options o, int mySlot) {
    this.name = name;
    this.buf = buf;
    this.channel = channel;
    this.capacity = (int) (long) LONG.getVolatile(buf, CAPACITY_OFFSET);
    this.dataOffset = (int) (long) LONG.getVolatile(buf, DATA_OFFSET_OFFSET);
    this.kind = Freelist.values()[(int) INT.getVolatile(buf, KIND_OFFSET)];
    this.minSegment = (int) (long) LONG.getVolatile(buf, MIN_SEGMENT_OFFSET);
    this.slots = (int) INT.getVolatile(buf, SLOTS_OFFSET);
    this.waitNanos = o.waitTimeout.toNanos();
    this.mySlot = mySlot;
    this.maxNodes = (capacity - dataOffset) / MIN_BLOCK + 1;
    int version = (int) INT.getVolatile(buf, VERSION_OFFSET);
    this.regionSize = version < REGION_VERSION ? 0 : effectiveRegionSize(o.threadRegionSize, capacity - dataOffset);
    this.regionPayloadLimit = regionSize / 4;
  }

  /**
   * The region size a handle uses: the option, at most a sixteenth of the data area (so that a
   * few threads cannot hold a small arena), and none when that leaves less than 1 KiB.
   */
  static int effectiveRegionSize(int option, int dataBytes) {
    int size = Math.min(option, dataBytes / 16) & ~7;
    return size < MIN_REGION ? 0 : size;
  }

  // ------------------------------------------------------------------ opening

  /** Options for creating or attaching to an arena; setters return {@code this}. */
  public static final class Options {
    long capacity = 1 << 20;
    Freelist freelist = Freelist.OPTIMISTIC;
    int minSegmentSize = 64;
    int processSlots = 64;
    Duration waitTimeout = Duration.ofSeconds(2);
    Duration lockTimeout = Duration.ofSeconds(10);
    int threadRegionSize = DEFAULT_REGION;
    String name;

    /** Defaults: 1 MiB, optimistic freelist, 64-byte minimum segment, 64 process slots, 2 s waits. */
    public static Options defaults() {
      return new Options();
    }

    /** Total bytes of the region, header included (used only when creating). */
    public Options capacity(long bytes) {
      this.capacity = bytes;
      return this;
    }

    /** Freelist policy (used only when creating; an existing file keeps its own). */
    public Options freelist(Freelist f) {
      this.freelist = f;
      return this;
    }

    /** Smallest block, header included, worth keeping in the freelist; smaller ones are discarded. */
    public Options minSegmentSize(int bytes) {
      this.minSegmentSize = bytes;
      return this;
    }

    /** How many processes may be attached at once (used only when creating). */
    public Options processSlots(int n) {
      this.processSlots = n;
      return this;
    }

    /** Bound of every wait on another process; then the operation fails with a diagnostic. */
    public Options waitTimeout(Duration d) {
      this.waitTimeout = d;
      return this;
    }

    /**
     * Bound of the wait for the file lock taken while creating or validating a file (default
     * 10 s; a starting JVM on a busy machine can hold it for a while).
     */
    public Options lockTimeout(Duration d) {
      this.lockTimeout = d;
      return this;
    }

    /**
     * Bytes each allocating thread claims at a time for its own allocations (default 64 KiB; 0 =
     * no thread regions: every allocation uses the shared bump pointer and freelist). Per handle,
     * not stored in the file. A region is at most a sixteenth of the data area; allocations larger
     * than a quarter of the region bypass it. Regions make a small allocation and the free of the
     * latest one cost two plain stores and one compare-and-set instead of four atomic
     * read-modify-writes on shared cache lines, and keep threads off each other's cache lines;
     * the price is that up to one region per allocating thread is reserved (counted as used)
     * until the region is full, its thread ends or the handle is closed.
     */
    public Options threadRegionSize(int bytes) {
      this.threadRegionSize = bytes;
      return this;
    }

    /**
     * Name under which this handle appears in the process's {@link AllocatorRegistry} (MXBean
     * {@code rainbarrel:type=Allocator,name=...}, JFR, {@code stat}); default {@code
     * arena:<file name>}, or {@code arena:anonymous:<n>} for anonymous memory. Made unique with a
     * {@code -2}, {@code -3}, ... suffix when taken.
     */
    public Options name(String allocatorName) {
      this.name = allocatorName;
      return this;
    }

    void validate() {
      if (name != null && name.isEmpty()) {
        throw new IllegalArgumentException("arena name must not be empty");
      }
      if (freelist == null) {
        throw new IllegalArgumentException("freelist kind must not be null");
      }
      if (processSlots < 1 || processSlots > MAX_SLOTS) {
        throw new IllegalArgumentException("processSlots must be in [1, " + MAX_SLOTS + "]: " + processSlots);
      }
      if (minSegmentSize < MIN_BLOCK || minSegmentSize > MAX_BLOCK) {
        throw new IllegalArgumentException(
            "minSegmentSize must be in [" + MIN_BLOCK + ", " + MAX_BLOCK + "]: " + minSegmentSize);
      }
      long min = dataOffsetFor(processSlots) + MIN_BLOCK;
      if (capacity < min || capacity > (Integer.MAX_VALUE & ~7)) {
        throw new IllegalArgumentException(
            "capacity must be in [" + min + ", " + (Integer.MAX_VALUE & ~7) + "] bytes: " + capacity);
      }
      if (waitTimeout == null || waitTimeout.isNegative() || waitTimeout.isZero()) {
        throw new IllegalArgumentException("waitTimeout must be positive: " + waitTimeout);
      }
      if (lockTimeout == null || lockTimeout.isNegative() || lockTimeout.isZero()) {
        throw new IllegalArgumentException("lockTimeout must be positive: " + lockTimeout);
      }
      if (threadRegionSize != 0 && (threadRegionSize < MIN_REGION || threadRegionSize > MAX_BLOCK)) {
        throw new IllegalArgumentException("threadRegionSize must be 0 (off) or in [" + MIN_REGION + ", "
            + MAX_BLOCK + "] bytes: " + threadRegionSize);
      }
    }
  }

  static int dataOffsetFor(int slots) {
    return (TABLE_OFFSET + 8 * slots + 63) & ~63;
  }

  /**
   * An arena in anonymous (direct) memory, private to this process and gone when it is collected.
   */
  public static Arena anonymous(Options o) {
    o.validate();
    int cap = (int) (o.capacity & ~7L);
    ByteBuffer b = ByteBuffer.allocateDirect(cap);
    format(b, cap, o);
    return attach("anonymous arena", b, null, o, "arena:anonymous:");
  }

  /**
   * Opens the arena file {@code file}, creating and formatting it (mode 0600) when it does not
   * exist or is empty. An existing file is validated before it is mapped and is never zeroed.
   * Creation and validation run under an exclusive file lock.
   *
   * @throws ArenaFormatException if the file is not a usable arena (the message says why)
   * @throws IOException if the file cannot be opened, locked (within the wait timeout) or mapped
   */
  public static Arena open(Path file, Options o) throws IOException {
    o.validate();
    SecureFiles.Opened opened = SecureFiles.openPrivateFile(file);
    FileChannel ch = opened.channel;
    try {
      MappedByteBuffer map;
      try (FileLock lock = lock(ch, file, o.lockTimeout)) {
        long size = ch.size();
        if (size == 0) {
          int cap = (int) (o.capacity & ~7L);
          ByteBuffer hdr = ByteBuffer.allocate(HEADER_LENGTH);
          formatHeader(hdr, cap, o);
          ch.truncate(0);
          // Setting the length first gives a zero-filled file; the header (magic last) follows.
          ch.write(ByteBuffer.wrap(new byte[] {0}), cap - 1L);
          map = ch.map(FileChannel.MapMode.READ_WRITE, 0, cap);
          map.order(ByteOrder.LITTLE_ENDIAN);
          format(map, cap, o);
        } else {
          validate(file, ch, size);
          map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
          map.order(ByteOrder.LITTLE_ENDIAN);
        }
      }
      return attach(file.toString(), map, ch, o, "arena:" + file.getFileName());
    } catch (IOException | RuntimeException | Error e) {
      ch.close();
      throw e;
    }
  }

  private static FileLock lock(FileChannel ch, Path file, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        FileLock l = ch.tryLock();
        if (l != null) {
          return l;
        }
      } catch (OverlappingFileLockException sameJvm) {
        // another thread of this JVM holds it while opening: wait like for another process
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(file + ": could not lock the arena file within " + timeout.toMillis()
            + " ms (another process is creating or validating it)");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /** Reads and checks the header with plain reads, before anything is mapped. */
  static void validate(Path file, FileChannel ch, long size) throws IOException {
    if (size < HEADER_LENGTH) {
      throw new ArenaFormatException(file, "truncated: " + size + " bytes, shorter than the "
          + HEADER_LENGTH + "-byte arena header");
    }
    ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    while (h.hasRemaining()) {
      if (ch.read(h, h.position()) < 0) {
        throw new ArenaFormatException(file, "truncated while reading the header");
      }
    }
    boolean allZero = true;
    for (int i = 0; i < HEADER_LENGTH && allZero; i++) {
      allZero = h.get(i) == 0;
    }
    if (allZero) {
      throw new ArenaFormatException(file, "header is zero-filled: not an initialised arena "
          + "(creation interrupted, or the file was wiped)");
    }
    long magic = h.getLong(MAGIC_OFFSET);
    if (magic != MAGIC) {
      throw new ArenaFormatException(file, "wrong magic 0x" + Long.toHexString(magic)
          + " (expected 0x" + Long.toHexString(MAGIC) + "): not a rainbarrel arena");
    }
    int version = h.getInt(VERSION_OFFSET);
    if (version > VERSION) {
      throw new ArenaFormatException(file, "format version " + version
          + " is newer than this library supports (" + VERSION + ")");
    }
    if (version < 1) {
      throw new ArenaFormatException(file, "invalid format version " + version);
    }
    int k = h.getInt(KIND_OFFSET);
    if (k < 0 || k >= Freelist.values().length) {
      throw new ArenaFormatException(file, "unknown freelist kind " + k);
    }
    long cap = h.getLong(CAPACITY_OFFSET);
    if (cap > (Integer.MAX_VALUE & ~7) && cap == size) {
      throw new ArenaFormatException(file, "capacity " + cap + " exceeds the 2 GiB this library can map");
    }
    if (cap != size) {
      throw new ArenaFormatException(file, (size < cap ? "truncated: " : "size mismatch: ") + size
          + " bytes on disk but the header says " + cap);
    }
    int slots = h.getInt(SLOTS_OFFSET);
    if (slots < 1 || slots > MAX_SLOTS) {
      throw new ArenaFormatException(file, "invalid process slot count " + slots);
    }
    long data = h.getLong(DATA_OFFSET_OFFSET);
    if (data != dataOffsetFor(slots) || data + MIN_BLOCK > cap) {
      throw new ArenaFormatException(file, "invalid data offset " + data + " for " + slots + " slots");
    }
    if (h.getInt(HEADER_LENGTH_OFFSET) != HEADER_LENGTH) {
      throw new ArenaFormatException(file, "invalid header length " + h.getInt(HEADER_LENGTH_OFFSET));
    }
    long min = h.getLong(MIN_SEGMENT_OFFSET);
    if (min < MIN_BLOCK || min > MAX_BLOCK) {
      throw new ArenaFormatException(file, "invalid minimum segment size " + min);
    }
    long top = bumpTop(h.getLong(BUMP_OFFSET));
    if (top < data || top > cap) {
      throw new ArenaFormatException(file, "bump pointer " + top + " outside the data area ["
          + data + ", " + cap + "]");
    }
    long head = h.getLong(HEAD_OFFSET) & OFFSET_MASK;
    if (head != 0 && (head < data || head + MIN_BLOCK > top)) {
      throw new ArenaFormatException(file, "freelist head " + head + " outside the allocated area");
    }
  }

  private static void formatHeader(ByteBuffer b, int cap, Options o) {
    b.order(ByteOrder.LITTLE_ENDIAN);
    int data = dataOffsetFor(o.processSlots);
    b.putInt(VERSION_OFFSET, VERSION);
    b.putInt(KIND_OFFSET, o.freelist.ordinal());
    b.putLong(CAPACITY_OFFSET, cap);
    b.putLong(DATA_OFFSET_OFFSET, data);
    b.putLong(MIN_SEGMENT_OFFSET, o.minSegmentSize);
    b.putInt(SLOTS_OFFSET, o.processSlots);
    b.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
    b.putLong(CREATOR_OFFSET, ProcessIdentity.currentStamp());
    b.putLong(BUMP_OFFSET, bumpWord(data, 0, 0));
  }

  /** Writes the header into zero-filled memory; the magic goes last, with release semantics. */
  private static void format(ByteBuffer b, int cap, Options o) {
    b.order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH);
    formatHeader(h, cap, o);
    for (int i = 8; i < HEADER_LENGTH; i += 8) {
      LONG.setVolatile(b, i, h.getLong(i));
    }
    LONG.setRelease(b, MAGIC_OFFSET, MAGIC);
  }

  private static Arena attach(String name, ByteBuffer b, FileChannel ch, Options o, String registryName) {
    int slots = (int) INT.getVolatile(b, SLOTS_OFFSET);
    long me = ProcessIdentity.currentStamp();
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < slots; i++) {
        if (LONG.compareAndSet(b, TABLE_OFFSET + 8 * i, 0L, me)) {
          Arena a = new Arena(name, b, ch, o, i + 1);
          a.registration = AllocatorRegistry.register(o.name != null ? o.name : registryName,
              (ch == null ? "anonymous arena, " : "arena file " + name + ", ") + a.kind + " freelist", a);
          return a;
        }
      }
      if (round == 0) {
        // Table full: take back the slots (and blocks) of dead processes, then try once more.
        new Arena(name, b, ch, o, 0).reclaimDeadOwners();
      }
    }
    throw new IllegalStateException(name + ": all " + slots + " process slots are held by live processes");
  }

  // ------------------------------------------------------------------ encoding

  static long meta(long size, int slot, int state) {
    return CHECK | ((long) slot << SLOT_SHIFT) | size | state;
  }

  static int blockSize(long meta) {
    return (int) (meta & SIZE_MASK);
  }

  static int slotOf(long meta) {
    return (int) ((meta >>> SLOT_SHIFT) & SLOT_MASK);
  }

  static int stateOf(long meta) {
    return (int) (meta & STATE_MASK);
  }

  static long link(long offset, long tag, boolean mark) {
    return ((tag & 0xFF_FFFFL) << TAG_SHIFT) | offset | (mark ? MARK : 0);
  }

  static int next(long link) {
    return (int) (link & OFFSET_MASK);
  }

  static long tag(long link) {
    return link >>> TAG_SHIFT;
  }

  static boolean marked(long link) {
    return (link & MARK) != 0;
  }

  static long bumpWord(long top, long lastSize, int slot) {
    return (top >>> 3) | ((lastSize >>> 3) << 32) | ((long) slot << 54);
  }

  static long bumpTop(long w) {
    return (w & 0xFFFF_FFFFL) << 3;
  }

  static int bumpLast(long w) {
    return (int) (((w >>> 32) & 0x3F_FFFFL) << 3);
  }

  static int bumpSlot(long w) {
    return (int) (w >>> 54);
  }

  private long getLong(int offset) {
    return (long) LONG.getVolatile(buf, offset);
  }

  private boolean cas(int offset, long expect, long update) {
    return LONG.compareAndSet(buf, offset, expect, update);
  }

  private void add(int offset, long delta) {
    LONG.getAndAdd(buf, offset, delta);
  }

  private ThreadCursor newCursor() {
    ThreadCursor c = new ThreadCursor(Thread.currentThread());
    cursors.add(c);
    return c;
  }

  private ThreadCursor cursor() {
    Thread t = Thread.currentThread();
    if (t == opener) {
      return openerCursor;
    }
    int slot = slotOf(t);
    return slotThreads[slot] == t ? slotCursors[slot] : slotCursor(slot, t);
  }

  @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same number
  private static int slotOf(Thread t) {
    return (int) t.getId() & (CURSOR_SLOTS - 1);
  }

  /** The {@code ThreadLocal} path; claims the thread's slot if it is free. */
  private ThreadCursor slotCursor(int slot, Thread t) {
    ThreadCursor c = cursor.get();
    if (SLOT_THREAD.compareAndSet(slotThreads, slot, null, t)) {
      slotCursors[slot] = c; // read only by t, which finds itself in slotThreads first
    }
    return c;
  }

  /**
   * Counts one operation in this thread's tally; when a count reaches {@link #PUBLISH_EVERY} the
   * thread moves its tally into the shared counters. Only the owning thread writes a tally
   * (opaque stores, no atomic read-modify-write); {@link #statsSnapshot} reads them.
   */
  private void count(ThreadCursor c, int which) {
    boolean due = which == T_ALLOCATIONS ? c.countAllocation()
        : which == T_FREES ? c.countFree() : c.countFailure();
    if (due) {
      publish(c);
    }
  }

  /** Moves a thread's tally into the shared counters. */
  private void publish(ThreadCursor c) {
    publishOne(c, T_ALLOCATIONS, ALLOCATIONS);
    publishOne(c, T_FREES, FREES);
    publishOne(c, T_FAILURES, FAILURES);
  }

  private void publishOne(ThreadCursor c, int which, int shared) {
    long v = c.take(which);
    if (v != 0) {
      add(shared, v);
    }
  }

  /** Shared counter plus this handle's unpublished tallies (none once closed: close published them). */
  private long counted(int shared, int which) {
    long v = getLong(shared);
    if (!closed) {
      for (ThreadCursor c : cursors) {
        v += c.unpublished(which);
      }
    }
    return v;
  }

  // ------------------------------------------------------------------ allocation

  /**
   * Allocates {@code size} bytes owned by this handle's process and returns the offset of the
   * payload (8-aligned, usable through {@link #buffer}), or {@link #NO_SPACE}. Contents are
   * unspecified (zero for memory never used before). Lock-free except for the bounded wait on a
   * block header that another live process has not yet published.
   *
   * @throws IllegalArgumentException if {@code size} is not in {@code [1, MAX_ALLOCATION]}
   * @throws ArenaTimeoutException if another live process blocks the protocol past the timeout
   */
  public long allocate(long size) {
    ThreadCursor c = cursor();
    if (size > 0 && size <= regionPayloadLimit) {
      int block = Math.max(MIN_BLOCK, (int) ((size + 7) & ~7L) + BLOCK_HEADER);
      if (block <= c.end - c.top && !closed) {
        return regionAllocate(c, block);
      }
    }
    return allocateSlowly(c, size); // kept apart so that the common path above stays inlinable
  }

  /** Allocates at the top of the thread's region, which has room: no atomic read-modify-write. */
  private long regionAllocate(ThreadCursor c, int block) {
    int top = c.top;
    int room = c.end - top;
    if (room - block < MIN_BLOCK) {
      block = room; // no sliver too small for a header at the region's end
    }
    LONG.setRelease(buf, top, meta(block, mySlot, ALLOCATED));
    c.top = top + block;
    c.last = top;
    LONG.setRelease(buf, c.region + LINK, bumpWord(top + block, block, 0));
    if (c.countAllocation()) {
      publish(c);
    }
    return top + BLOCK_HEADER;
  }

  private long allocateSlowly(ThreadCursor c, long size) {
    checkOpen();
    if (size <= 0 || size > MAX_ALLOCATION) {
      throw new IllegalArgumentException(name + ": allocation size must be in [1, " + MAX_ALLOCATION + "]: " + size);
    }
    int block = Math.max(MIN_BLOCK, (int) ((size + 7) & ~7L) + BLOCK_HEADER);
    if (size <= regionPayloadLimit && newRegion(c)) {
      return regionAllocate(c, block);
    }
    int b = bumpAllocate(block);
    if (b < 0 && kind != Freelist.NONE) {
      b = freelistAllocate(block);
    }
    if (b < 0) {
      count(c, T_FAILURES);
      return NO_SPACE;
    }
    count(c, T_ALLOCATIONS);
    return b + BLOCK_HEADER;
  }

  /**
   * Retires the thread's full region (if any) and claims a new one from the bump pointer; false
   * when the bump pointer has no room for a region (the caller falls back to the shared paths).
   * Also retires the regions of this handle's threads that have ended.
   */
  private boolean newRegion(ThreadCursor c) {
    if (c.region >= 0) {
      retire(c);
    }
    sweepEndedThreads();
    int r = bumpAllocate(regionSize, REGION);
    if (r < 0) {
      return false;
    }
    c.enter(r, r + regionSize);
    return true;
  }

  /**
   * Gives the unused rest of a thread's region back and marks the region retired. Called by the
   * owning thread, or under the cursor's monitor once the owner has ended or the handle closes.
   */
  private void retire(ThreadCursor c) {
    retireRegion(c.region, mySlot);
    c.leave();
  }

  /**
   * Retires the regions of this handle's threads that have ended, and forgets those threads.
   * Several threads may sweep at once (each claiming its first region): the one whose removal from
   * {@link #cursors} succeeds owns the ended cursor, so its tally is published exactly once.
   */
  private void sweepEndedThreads() {
    for (ThreadCursor other : cursors) {
      if (!other.thread.isAlive() && cursors.remove(other)) {
        synchronized (other) {
          if (other.region >= 0) {
            retire(other);
          }
        }
        publish(other);
        int slot = slotOf(other.thread);
        if (slotThreads[slot] == other.thread) { // free for another thread: its own cursor follows the claim
          slotCursors[slot] = null;
          SLOT_THREAD.compareAndSet(slotThreads, slot, other.thread, null);
        }
      }
    }
  }

  /**
   * Retires the region at {@code r} whose header names {@code ownerSlot} (this process, or a dead
   * one whose region this process has claimed): its unused tail is published as a block in
   * transit of this process, then goes to the freelist or is discarded, and the region's owner
   * becomes 0. Each step can be redone by a reclaimer if this process dies in between.
   */
  private void retireRegion(int r, int ownerSlot) {
    long m = getLong(r);
    int size = blockSize(m);
    int end = r + size;
    int top = (int) bumpTop(getLong(r + LINK));
    if (top < end) {
      int tail = end - top;
      LONG.setRelease(buf, top, meta(tail, mySlot, TAKING));
      LONG.setRelease(buf, r + LINK, bumpWord(end, 0, 0));
      FaultPoint.reach(FaultPoint.REGION_TAIL_PUBLISHED);
      if (kind == Freelist.NONE || tail < minSegment) {
        LONG.setRelease(buf, top, meta(tail, 0, DISCARDED_STATE));
        add(DISCARDED, tail);
      } else {
        insert(top, tail);
      }
    }
    // The retired header itself can never be reused: it counts as discarded.
    if (cas(r, meta(size, ownerSlot, REGION), meta(size, 0, REGION))) {
      add(DISCARDED, BLOCK_HEADER);
    }
  }

  private int bumpAllocate(int block) {
    return bumpAllocate(block, ALLOCATED);
  }

  private int bumpAllocate(int block, int state) {
    Waiter waiter = null;
    while (true) {
      long w = getLong(BUMP_OFFSET);
      int top = (int) bumpTop(w);
      if ((long) top + block > capacity) {
        return -1;
      }
      int lastSize = bumpLast(w);
      if (lastSize != 0) {
        int last = top - lastSize;
        long m = getLong(last);
        if (!published(m, lastSize)) {
          if (waiter == null) {
            waiter = new Waiter();
          }
          if (waiter.expired()) {
            if (!helpPublish(w, last, m)) {
              throw timeout("the header of the block at offset " + last + " (" + lastSize
                  + " bytes) is unpublished", bumpSlot(w));
            }
          } else {
            waiter.pause();
          }
          continue;
        }
      }
      if (cas(BUMP_OFFSET, w, bumpWord(top + block, block, mySlot))) {
        FaultPoint.reach(FaultPoint.BUMP_CLAIMED);
        if (state == REGION) {
          // The region word before the header: a walker that sees the region sees its top.
          LONG.setRelease(buf, top + LINK, bumpWord(top + BLOCK_HEADER, 0, 0));
        }
        LONG.setRelease(buf, top, meta(block, mySlot, state));
        return top;
      }
    }
  }

  /** A last block counts as published once its header shows its size and a settled state. */
  private static boolean published(long m, int size) {
    int st = stateOf(m);
    return (m & CHECK_MASK) == CHECK && blockSize(m) == size && st != 0 && st != RETURNING;
  }

  /**
   * Publishes the header of the last bump block on behalf of its owner when that owner is dead.
   * Safe against ABA: only the (dead) owner could move the bump pointer back over that block.
   */
  private boolean helpPublish(long w, int last, long seen) {
    int slot = bumpSlot(w);
    if (slotAlive(slot)) {
      return false;
    }
    if (getLong(BUMP_OFFSET) == w) {
      cas(last, seen, meta(bumpLast(w), slot, ALLOCATED));
    }
    return true;
  }

  private int freelistAllocate(int need) {
    Waiter waiter = null; // made on the first retry only: the common path allocates nothing
    boolean retry = false;
    restart:
    while (true) {
      if (retry) {
        waiter = retrying(waiter, "searching the freelist");
      }
      retry = true;
      int predAddr = HEAD_OFFSET;
      long predLink = getLong(HEAD_OFFSET);
      int curr = next(predLink);
      int steps = 0;
      while (curr != 0) {
        if (++steps > maxNodes || !plausibleNode(curr)) {
          continue restart; // a stale read of a reused word; the tags make any CAS on it fail
        }
        long currLink = getLong(curr + LINK);
        if (marked(currLink)) {
          long unlinked = link(next(currLink), tag(predLink) + 1, false);
          if (!cas(predAddr, predLink, unlinked)) {
            continue restart;
          }
          predLink = unlinked;
          curr = next(currLink);
          continue;
        }
        long m = getLong(curr);
        int size = blockSize(m);
        if (stateOf(m) == FREE && (m & CHECK_MASK) == CHECK && curr + size <= capacity) {
          if (size < need && kind == Freelist.OPTIMISTIC) {
            return -1; // the largest free segment is too small
          }
          if (size >= need) {
            if (!cas(curr, m, meta(size, mySlot, TAKING))) {
              continue restart;
            }
            FaultPoint.reach(FaultPoint.FREELIST_CLAIMED);
            long marked = markLink(curr);
            FaultPoint.reach(FaultPoint.FREELIST_MARKED);
            if (!cas(predAddr, predLink, link(next(marked), tag(predLink) + 1, false))) {
              unlinkMarked();
            }
            add(FREELIST_BYTES, -size);
            split(curr, size, need);
            return curr;
          }
        }
        predAddr = curr + LINK;
        predLink = currLink;
        curr = next(currLink);
      }
      return -1;
    }
  }

  /**
   * A traversal that followed a stale link may stand on bytes that are no longer a node (a
   * block since allocated, split or merged): anything but an in-range FREE or TAKING header sends
   * it back to the head. Its CASes would fail on the tags anyway; this keeps it from wandering
   * through payload.
   */
  private boolean plausibleNode(int curr) {
    if (curr < dataOffset || curr + MIN_BLOCK > capacity) {
      return false;
    }
    long m = getLong(curr);
    int st = stateOf(m);
    return (m & CHECK_MASK) == CHECK && (st == FREE || st == TAKING) && blockSize(m) >= MIN_BLOCK
        && curr + blockSize(m) <= capacity;
  }

  /** Sets the mark bit of a node's link (logical deletion); the caller owns the node (TAKING). */
  private long markLink(int node) {
    while (true) {
      long l = getLong(node + LINK);
      if (marked(l)) {
        return l;
      }
      long m = link(next(l), tag(l) + 1, true);
      if (cas(node + LINK, l, m)) {
        return m;
      }
    }
  }

  /**
   * Walks the whole freelist and unlinks every marked node: the helping that keeps a process
   * killed between marking and unlinking from wedging the others.
   */
  private void unlinkMarked() {
    Waiter waiter = new Waiter();
    restart:
    while (true) {
      waiter.check("unlinking removed freelist nodes");
      int predAddr = HEAD_OFFSET;
      long predLink = getLong(HEAD_OFFSET);
      int curr = next(predLink);
      int steps = 0;
      while (curr != 0) {
        if (++steps > maxNodes || !plausibleNode(curr)) {
          continue restart;
        }
        long currLink = getLong(curr + LINK);
        if (marked(currLink)) {
          long unlinked = link(next(currLink), tag(predLink) + 1, false);
          if (!cas(predAddr, predLink, unlinked)) {
            continue restart;
          }
          predLink = unlinked;
        } else {
          predAddr = curr + LINK;
          predLink = currLink;
        }
        curr = next(currLink);
      }
      return;
    }
  }

  /** Cuts a taken segment to {@code need} bytes; a large enough remainder goes back to the list. */
  private void split(int node, int size, int need) {
    int rem = size - need;
    if (kind != Freelist.NONE && rem >= minSegment && rem >= MIN_BLOCK) {
      int r = node + need;
      // The remainder's header is published before the node shrinks, so walkers never see a gap.
      LONG.setRelease(buf, r, meta(rem, mySlot, TAKING));
      LONG.setRelease(buf, node, meta(need, mySlot, ALLOCATED));
      insert(r, rem);
    } else {
      LONG.setRelease(buf, node, meta(size, mySlot, ALLOCATED));
    }
  }

  /**
   * Links a block this process holds in state TAKING into the freelist at its size's place, then
   * marks it FREE. Until then allocators skip it; if this process dies in between, the reaper
   * finds it TAKING with a dead owner and re-inserts it.
   */
  private void insert(int node, int size) {
    insertFrom(HEAD_OFFSET, getLong(HEAD_OFFSET), node, size);
  }

  /**
   * Links {@code node} at its size's place, searching from the link word at {@code startAddr}
   * (read as {@code startLink}: the head, or a node just inserted), and from the head again after
   * any interference. Returns the link value written into {@code node}, so that a batch can go on
   * from there.
   */
  private long insertFrom(int startAddr, long startLink, int node, int size) {
    Waiter waiter = null; // made on the first retry only: the common path allocates nothing
    int predAddr = startAddr;
    long predLink = startLink;
    boolean retry = false;
    restart:
    while (true) {
      if (retry) {
        waiter = retrying(waiter, "inserting into the freelist");
        predAddr = HEAD_OFFSET;
        predLink = getLong(HEAD_OFFSET);
      }
      retry = true;
      int curr = next(predLink);
      int steps = 0;
      while (curr != 0) {
        if (++steps > maxNodes || !plausibleNode(curr)) {
          continue restart;
        }
        long currLink = getLong(curr + LINK);
        if (marked(currLink)) {
          long unlinked = link(next(currLink), tag(predLink) + 1, false);
          if (!cas(predAddr, predLink, unlinked)) {
            continue restart;
          }
          predLink = unlinked;
          curr = next(currLink);
          continue;
        }
        int cs = blockSize(getLong(curr));
        if (kind == Freelist.OPTIMISTIC ? cs <= size : cs >= size) {
          break;
        }
        predAddr = curr + LINK;
        predLink = currLink;
        curr = next(currLink);
      }
      long own = getLong(node + LINK);
      long linked = link(curr, tag(own) + 1, false);
      LONG.setVolatile(buf, node + LINK, linked);
      if (cas(predAddr, predLink, link(node, tag(predLink) + 1, false))) {
        add(FREELIST_BYTES, size);
        long m = getLong(node);
        cas(node, m, meta(size, 0, FREE));
        return linked;
      }
    }
  }

  /**
   * Links many blocks this process holds as TAKING into the freelist: sorted in list order, each
   * inserted starting from the one before it, so a batch costs one list traversal (plus a restart
   * from the head when a CAS meets interference) instead of one traversal per block.
   */
  private void insertAll(List<int[]> nodes) {
    nodes.sort(kind == Freelist.OPTIMISTIC ? (x, y) -> Integer.compare(y[1], x[1])
        : (x, y) -> Integer.compare(x[1], y[1]));
    int predAddr = HEAD_OFFSET;
    long predLink = getLong(HEAD_OFFSET);
    for (int[] n : nodes) {
      // If someone takes the previous node meanwhile, its link's tag changes: the CAS fails and
      // the search restarts from the head.
      predLink = insertFrom(predAddr, predLink, n[0], n[1]);
      predAddr = n[0] + LINK;
    }
  }

  // ------------------------------------------------------------------ free / detach

  /**
   * Frees the allocation at payload offset {@code offset}. The last bump allocation goes straight
   * back to the bump pointer; others go to the freelist, or are discarded (and counted) when
   * smaller than the minimum segment size or when the arena has no freelist. Detached allocations
   * may be freed by any process.
   *
   * @throws IllegalStateException on a double free, a free of another live process's allocation,
   *     or an offset that is not the start of an allocation (the message names the offset)
   */
  public void free(long offset) {
    ThreadCursor c = cursor();
    if (offset - BLOCK_HEADER == c.last && !closed) {
      // This thread's latest region allocation: its header is known exactly, so one CAS both
      // checks it (a double free or foreign offset fails it and takes the checked path below)
      // and claims it; then back to the region's top with a plain store.
      int b = c.last;
      int size = c.top - b;
      if (cas(b, meta(size, mySlot, ALLOCATED), meta(size, mySlot, TAKING))) {
        returnToRegion(c, b);
        if (c.countFree()) {
          publish(c);
        }
        return;
      }
    }
    freeSlowly(c, offset); // kept apart so that the common path above stays inlinable
  }

  private void freeSlowly(ThreadCursor c, long offset) {
    checkOpen();
    int b = blockAt(offset);
    long m = getLong(b);
    int st = stateOf(m);
    if (!(st == ALLOCATED && slotOf(m) == mySlot) && st != DETACHED) {
      throw notMine(offset, m);
    }
    int size = blockSize(m);
    // The CAS claims the block: of two racing frees of it, one fails and reports the double free.
    if (!cas(b, m, meta(size, mySlot, TAKING))) {
      throw notMine(offset, getLong(b));
    }
    if (b == c.last && b + size == c.top) {
      returnToRegion(c, b); // this thread's latest region allocation, detached before
    } else {
      release(b, size);
    }
    count(c, T_FREES);
  }

  /** Moves the thread's region top back over its latest allocation at {@code b} (held TAKING). */
  private void returnToRegion(ThreadCursor c, int b) {
    c.top = b;
    c.last = -1;
    LONG.setRelease(buf, c.region + LINK, bumpWord(b, 0, 0));
  }

  /** Gives back a block this process holds as TAKING: to the bump pointer, freelist or discard. */
  private void release(int b, int size) {
    long w = getLong(BUMP_OFFSET);
    if (bumpTop(w) == (long) b + size && bumpLast(w) == size) {
      // The last allocation: wipe it (the region above the bump pointer stays zero) and return it.
      // The release store of RETURNING below orders these plain writes before it.
      int end = b + size;
      if (size <= SMALL_WIPE) {
        for (int i = b + BLOCK_HEADER; i < end; i += 8) { // payloads are 8-aligned and 8-sized
          buf.putLong(i, 0L);
        }
      } else {
        for (int i = b + BLOCK_HEADER; i < end; i += ZEROS.length) {
          buf.put(i, ZEROS, 0, Math.min(ZEROS.length, end - i));
        }
      }
      LONG.setRelease(buf, b, meta(size, mySlot, RETURNING));
      FaultPoint.reach(FaultPoint.RETURN_MARKED);
      add(EPOCH_OFFSET, 1);
      if (cas(BUMP_OFFSET, w, bumpWord(b, 0, 0))) {
        return;
      }
      LONG.setRelease(buf, b, meta(size, mySlot, TAKING));
    }
    if (kind == Freelist.NONE || size < minSegment) {
      LONG.setRelease(buf, b, meta(size, 0, DISCARDED_STATE));
      add(DISCARDED, size);
      return;
    }
    insert(b, size);
  }

  /**
   * Detaches an allocation from this process: it survives {@link #close()} and the death of the
   * process, is listed by {@link #detached()} after reopening, and may be freed by anyone.
   */
  public void detach(long offset) {
    checkOpen();
    int b = blockAt(offset);
    long m = getLong(b);
    if (stateOf(m) != ALLOCATED || slotOf(m) != mySlot || !cas(b, m, meta(blockSize(m), 0, DETACHED))) {
      throw notMine(offset, m);
    }
  }

  /** Usable bytes of the allocation at {@code offset} (at least what was asked for). */
  public long sizeOf(long offset) {
    checkOpen();
    int b = blockAt(offset);
    long m = getLong(b);
    int st = stateOf(m);
    if (st != ALLOCATED && st != DETACHED) {
      throw notMine(offset, m);
    }
    return blockSize(m) - BLOCK_HEADER;
  }

  private int blockAt(long offset) {
    long b = offset - BLOCK_HEADER;
    if ((offset & 7) != 0 || b < dataOffset || b + MIN_BLOCK > bumpTop(getLong(BUMP_OFFSET))) {
      throw new IllegalStateException(name + ": offset " + offset + " is not an allocation of this arena");
    }
    long m = getLong((int) b);
    if ((m & CHECK_MASK) != CHECK || b + blockSize(m) > capacity) {
      throw new IllegalStateException(name + ": offset " + offset + " is not the start of an allocation");
    }
    return (int) b;
  }

  private IllegalStateException notMine(long offset, long m) {
    int st = stateOf(m);
    if ((st == TAKING || st == RETURNING) && slotOf(m) == mySlot) {
      return new IllegalStateException(name + ": offset " + offset + " is not allocated (already "
          + "freed, or being freed by another thread of this process): double free?");
    }
    if (st == ALLOCATED || st == TAKING || st == RETURNING) {
      return new IllegalStateException(name + ": allocation at offset " + offset + " belongs to "
          + describeSlot(slotOf(m)) + ", not to this handle (" + describeSlot(mySlot) + ")");
    }
    return new IllegalStateException(name + ": offset " + offset + " is not allocated (state "
        + stateName(st) + "): double free?");
  }

  // ------------------------------------------------------------------ recovery

  /** One block as seen by a walk: payload offset, usable size, state and owner. */
  public static final class Block {
    /** Payload offset (what {@link #allocate} returned). */
    public final long offset;
    /** Usable payload bytes. */
    public final long size;
    /** {@code ALLOCATED}, {@code FREE}, {@code DETACHED}, {@code DISCARDED}, ... */
    public final String state;
    /** Owner stamp ({@link ProcessIdentity}) or 0 when the block has no owning process. */
    public final long ownerStamp;

    Block(long offset, long size, String state, long ownerStamp) {
      this.offset = offset;
      this.size = size;
      this.state = state;
      this.ownerStamp = ownerStamp;
    }

    @Override
    public String toString() {
      return state + "@" + offset + "+" + size;
    }
  }

  /** Allocations detached by any process, e.g. to pick them up again after reopening. */
  public List<Block> detached() {
    List<Block> out = new ArrayList<>();
    for (Block b : blocks()) {
      if (b.state.equals("DETACHED")) {
        out.add(b);
      }
    }
    return out;
  }

  /** Every block below the bump pointer, in address order (a diagnostic walk). */
  public List<Block> blocks() {
    checkOpen();
    List<Block> out = new ArrayList<>();
    walk((b, m) -> {
      int slot = slotOf(m);
      out.add(new Block(b + BLOCK_HEADER, blockSize(m) - BLOCK_HEADER, stateName(stateOf(m)),
          slot == 0 ? 0 : getLong(TABLE_OFFSET + 8 * (slot - 1))));
    });
    return out;
  }

  interface Visitor {
    void visit(int block, long meta);
  }

  /**
   * Walks blocks from the data offset to the bump pointer. A return to the bump pointer during
   * the walk (epoch change) may move block boundaries, so the walk restarts (bounded).
   */
  private void walk(Visitor v) {
    Waiter waiter = new Waiter();
    restart:
    while (true) {
      waiter.check("walking the blocks");
      long epoch = getLong(EPOCH_OFFSET);
      int p = dataOffset;
      List<long[]> seen = new ArrayList<>();
      while (true) {
        long w = getLong(BUMP_OFFSET);
        int top = (int) bumpTop(w);
        if (p >= top) {
          break;
        }
        long m = getLong(p);
        int lastSize = bumpLast(w);
        if (lastSize != 0 && p == top - lastSize && !published(m, lastSize)) {
          if (!helpPublish(w, p, m)) {
            break; // being published by a live process: not ours to judge
          }
          continue;
        }
        int size = blockSize(m);
        if ((m & CHECK_MASK) != CHECK || size < MIN_BLOCK || p + size > top) {
          if (getLong(EPOCH_OFFSET) != epoch) {
            continue restart;
          }
          throw new IllegalStateException(name + ": corrupt block header 0x" + Long.toHexString(m)
              + " at offset " + p + " (bump pointer " + top + ")");
        }
        seen.add(new long[] {p, m});
        if (stateOf(m) == REGION) {
          String problem = walkRegion(p, size, seen);
          if (problem != null) {
            if (getLong(EPOCH_OFFSET) != epoch) {
              continue restart;
            }
            throw new IllegalStateException(name + ": corrupt thread region at offset " + p + ": " + problem);
          }
        }
        p += size;
      }
      if (getLong(EPOCH_OFFSET) != epoch) {
        continue;
      }
      for (long[] s : seen) {
        v.visit((int) s[0], s[1]);
      }
      return;
    }
  }

  /**
   * Adds the blocks of the region at {@code r} to {@code seen}; returns what is wrong, or null.
   * Below {@code top - last} of one read of the region word the layout is final (only the
   * region's latest allocation can go back to its top), so no epoch is needed; the latest block
   * itself is taken only if the region word is unchanged after its header was read.
   */
  private String walkRegion(int r, int size, List<long[]> seen) {
    long w = getLong(r + LINK);
    int top = (int) bumpTop(w);
    int last = bumpLast(w);
    int end = r + size;
    if (top < r + BLOCK_HEADER || top > end || last > top - r - BLOCK_HEADER) {
      return "region word 0x" + Long.toHexString(w) + " outside the region [" + r + ", " + end + "]";
    }
    int stable = top - last;
    int q = r + BLOCK_HEADER;
    while (q < stable) {
      long m = getLong(q);
      int bs = blockSize(m);
      if ((m & CHECK_MASK) != CHECK || bs < MIN_BLOCK || q + bs > stable || stateOf(m) == REGION) {
        return "block header 0x" + Long.toHexString(m) + " at offset " + q;
      }
      seen.add(new long[] {q, m});
      q += bs;
    }
    if (last != 0) {
      long m = getLong(stable);
      if (getLong(r + LINK) == w && (m & CHECK_MASK) == CHECK && blockSize(m) == last) {
        seen.add(new long[] {stable, m});
      } // else: its live owner thread has just returned or replaced it
    }
    return null;
  }

  /**
   * Takes back every block owned by a process that is no longer alive (judged by pid and start
   * time), completes freelist steps such processes left half done, and frees their process slots.
   * Returns the number of blocks reclaimed.
   */
  public int reclaimDeadOwners() {
    boolean[] dead = new boolean[slots + 1];
    boolean any = false;
    for (int i = 1; i <= slots; i++) {
      long stamp = getLong(TABLE_OFFSET + 8 * (i - 1));
      if (stamp != 0 && !ProcessIdentity.isAlive(stamp)) {
        dead[i] = true;
        any = true;
      }
    }
    if (!any) {
      return 0;
    }
    int[] reclaimed = new int[1];
    walk((b, m) -> {
      int st = stateOf(m);
      int slot = slotOf(m);
      if (st == REGION) {
        // A dead process's region: claim it, then give its unused tail back. Its blocks follow
        // in the walk and are reclaimed one by one.
        if (dead[slot] && cas(b, m, meta(blockSize(m), mySlot, REGION))) {
          retireRegion(b, mySlot);
        }
        return;
      }
      if (!dead[slot] || (st != ALLOCATED && st != TAKING && st != RETURNING)) {
        return;
      }
      int size = blockSize(m);
      if (!cas(b, m, meta(size, mySlot, TAKING))) {
        return; // changed under us: someone else is handling it
      }
      if (st == TAKING) {
        // It may still be linked (the owner died while inserting or removing it): remove it first.
        markLink(b);
        unlinkMarked();
      }
      if (st == ALLOCATED) {
        add(FREES, 1);
      }
      release(b, size);
      add(RECLAIMED, 1);
      reclaimed[0]++;
    });
    for (int i = 1; i <= slots; i++) {
      if (dead[i]) {
        int off = TABLE_OFFSET + 8 * (i - 1);
        long stamp = getLong(off);
        if (stamp != 0 && !ProcessIdentity.isAlive(stamp)) {
          cas(off, stamp, 0L);
        }
      }
    }
    return reclaimed[0];
  }

  // ------------------------------------------------------------------ views and stats

  /**
   * A view of the whole region (absolute offsets, little-endian); payloads are at the offsets
   * {@link #allocate} returns. Independent position/limit per call.
   */
  public ByteBuffer buffer() {
    checkOpen();
    return buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The freelist policy stored in the header. */
  public Freelist freelist() {
    return kind;
  }

  /** Total bytes of the region. */
  public long capacity() {
    return capacity;
  }

  /** Offset of the first block. */
  public long dataOffset() {
    return dataOffset;
  }

  /** Owner stamps of the processes attached now (live or not yet reclaimed). */
  public List<Long> attachedProcesses() {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < slots; i++) {
      long s = getLong(TABLE_OFFSET + 8 * i);
      if (s != 0) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Statistics of the whole arena (all processes). Allocations, frees and failures are the shared
   * counters plus this handle's per-thread tallies not yet published; other processes see a
   * handle's counts up to {@link #PUBLISH_EVERY} operations per kind and thread late, and all of them
   * after its {@link #close}. Used bytes are derived: everything below the bump pointer that is
   * neither in the freelist nor discarded (so they cannot drift); the unused rest of a live thread
   * region is reserved for its thread and counts as used until the region is retired.
   */
  @Override
  public Snapshot statsSnapshot() {
    // Freelist and discarded bytes first, the bump pointer last: blocks counted in either lie
    // below the bump pointer read afterwards, so the difference never goes negative.
    long freelist = getLong(FREELIST_BYTES);
    long discarded = getLong(DISCARDED);
    long top = bumpTop(getLong(BUMP_OFFSET));
    long used = Math.max(0, top - dataOffset - freelist - discarded);
    long live = 0;
    for (int i = 0; i < slots; i++) {
      long s = getLong(TABLE_OFFSET + 8 * i);
      if (s != 0 && ProcessIdentity.isAlive(s)) {
        live++;
      }
    }
    return new Snapshot("arena", "bytes", capacity - dataOffset, used,
        (capacity - top) + freelist, counted(ALLOCATIONS, T_ALLOCATIONS), counted(FREES, T_FREES),
        counted(FAILURES, T_FAILURES), discarded, live, getLong(RECLAIMED));
  }

  /**
   * Frees this handle's allocations that were not {@link #detach detached}, releases its process
   * slot and closes the file. Idempotent. Allocations of other processes are untouched.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    for (ThreadCursor c : cursors) {
      synchronized (c) {
        if (c.region >= 0) {
          retire(c); // threads still allocating through a closing handle are a caller bug
        }
      }
    }
    List<int[]> mine = new ArrayList<>();
    walk((b, m) -> {
      if (stateOf(m) == ALLOCATED && slotOf(m) == mySlot) {
        mine.add(new int[] {b});
      }
    });
    // Highest first, so that a trailing run returns to the bump pointer block by block; the rest
    // is linked into the freelist in one sorted pass instead of one list walk per block.
    List<int[]> toList = new ArrayList<>();
    for (int i = mine.size() - 1; i >= 0; i--) {
      int b = mine.get(i)[0];
      long m = getLong(b);
      int size = blockSize(m);
      if (stateOf(m) == ALLOCATED && slotOf(m) == mySlot && cas(b, m, meta(size, mySlot, TAKING))) {
        long w = getLong(BUMP_OFFSET);
        boolean last = bumpTop(w) == (long) b + size && bumpLast(w) == size;
        if (last || kind == Freelist.NONE || size < minSegment) {
          release(b, size);
        } else {
          toList.add(new int[] {b, size});
        }
        add(FREES, 1);
      }
    }
    insertAll(toList);
    for (ThreadCursor c : cursors) {
      publish(c); // threads still using a closing handle are a caller bug; their counts may be lost
    }
    closed = true;
    if (registration != null) {
      registration.close();
    }
    cas(TABLE_OFFSET + 8 * (mySlot - 1), ProcessIdentity.currentStamp(), 0L);
    if (channel != null) {
      channel.close();
    }
  }

  /** The unique name of this handle in the process's {@link AllocatorRegistry}. */
  public String allocatorName() {
    return registration.name();
  }

  @Override
  public String toString() {
    return "Arena[" + name + ", " + kind + ", " + capacity + " bytes]";
  }

  // ------------------------------------------------------------------ helpers

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(name + ": arena is closed");
    }
  }

  private boolean slotAlive(int slot) {
    if (slot < 1 || slot > slots) {
      return false;
    }
    long stamp = getLong(TABLE_OFFSET + 8 * (slot - 1));
    return stamp != 0 && ProcessIdentity.isAlive(stamp);
  }

  private String describeSlot(int slot) {
    if (slot < 1 || slot > slots) {
      return "no process";
    }
    long stamp = getLong(TABLE_OFFSET + 8 * (slot - 1));
    return stamp == 0 ? "slot " + slot + " (released)"
        : "pid " + ProcessIdentity.pid(stamp) + " (slot " + slot + ")";
  }

  static String stateName(int st) {
    switch (st) {
      case ALLOCATED: return "ALLOCATED";
      case FREE: return "FREE";
      case DETACHED: return "DETACHED";
      case DISCARDED_STATE: return "DISCARDED";
      case TAKING: return "TAKING";
      case RETURNING: return "RETURNING";
      case REGION: return "REGION";
      default: return "UNWRITTEN";
    }
  }

  private ArenaTimeoutException timeout(String what, int slot) {
    return new ArenaTimeoutException(name + ": " + what + " for more than "
        + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms; it is held by " + describeSlot(slot)
        + ", which is still alive");
  }

  /** Counts a retry round of a lock-free loop (see {@link Waiter#check}), making the waiter first. */
  private Waiter retrying(Waiter w, String what) {
    if (w == null) {
      w = new Waiter();
    }
    w.check(what);
    return w;
  }

  /** Spin, then yield, then sleep briefly; bounded by the wait timeout. */
  private final class Waiter {
    private final long start = System.nanoTime();
    private int rounds;

    boolean expired() {
      return System.nanoTime() - start > waitNanos;
    }

    void pause() {
      rounds++;
      if (rounds < 64) {
        Thread.onSpinWait();
      } else if (rounds < 128) {
        Thread.yield();
      } else {
        LockSupport.parkNanos(50_000);
      }
    }

    /** For retry loops: counts a round and fails with a diagnostic once the bound is reached. */
    void check(String what) {
      if (rounds++ > 0 && (rounds & 1023) == 0 && expired()) {
        throw new ArenaTimeoutException(name + ": gave up " + what + " after " + rounds
            + " attempts in " + TimeUnit.NANOSECONDS.toMillis(waitNanos)
            + " ms of constant interference");
      }
    }
  }
}
