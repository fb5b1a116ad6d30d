package dev.rainbarrel.iobuf;

import dev.rainbarrel.alloc.AllocatorRegistry;
import dev.rainbarrel.alloc.AllocatorStats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A source of direct-memory chunks for {@link Allocator}s, in the manner of vanadium's iobuf
 * pool: chunks are multiples of a minimum size (default 4 KiB); chunks of exactly that size are
 * recycled when their last {@link Slice} is released, larger ones are dropped.
 *
 * <p>Beyond iobuf: an optional byte limit (live plus pooled chunks) past which acquisition fails
 * with a {@link PoolLimitException} saying how much is in use; an optional leak detector that
 * reports each slice collected without {@link Slice#release()} together with the stack that
 * allocated it; statistics through {@link AllocatorStats}.
 *
 * <p>{@link #close()} stops handing out chunks (further allocation throws {@link
 * IllegalStateException}) and drops the pooled ones; slices still held stay valid until released,
 * after which their chunks are dropped rather than pooled; it also removes the pool from the
 * process's {@link AllocatorRegistry}, which it joins when constructed. Thread-safe.
 */
public final class Pool implements AutoCloseable, AllocatorStats {

  /** Default minimum chunk size: 4 KiB. */
  public static final int DEFAULT_CHUNK_SIZE = 4096;

  private static final Cleaner CLEANER = Cleaner.create();

  private final int chunkSize;
  private final long maxBytes;
  private final boolean leakDetection;
  private final Consumer<String> leakReporter;
  private final ConcurrentLinkedDeque<Chunk> free = new ConcurrentLinkedDeque<>();
  private final AtomicLong reservedBytes = new AtomicLong(); // live + pooled chunk bytes
  private final AtomicLong pooledBytes = new AtomicLong();
  // Slices made and released are counted on every slice: in per-thread tallies written only by
  // their thread (no atomic operation, no shared cache line), summed when statistics are read.
  private static final int T_SLICES = 0;
  private static final int T_RELEASED = 1;
  private static final VarHandle TALLY = MethodHandles.arrayElementVarHandle(long[].class);
  private final ThreadLocal<long[]> tally = ThreadLocal.withInitial(this::newTally);
  private final Queue<Tally> tallies = new ConcurrentLinkedQueue<>();
  /** Tallies of threads that have ended, folded in by {@link #statsSnapshot}. */
  private final AtomicLong foldedSlices = new AtomicLong();
  private final AtomicLong foldedReleased = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong discarded = new AtomicLong();
  private final AtomicLong leaks = new AtomicLong();
  private final Set<Slice.Tracker> tracked = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private final AllocatorRegistry.Registration registration;

  /** An unbounded pool of 4 KiB chunks without leak detection. */
  public Pool() {
    this(DEFAULT_CHUNK_SIZE, Long.MAX_VALUE, false, System.err::println);
  }

  /**
   * @param chunkSize minimum chunk size in bytes (0 means {@value #DEFAULT_CHUNK_SIZE})
   * @param maxBytes most bytes of chunks alive or pooled at once ({@link Long#MAX_VALUE}: unbounded)
   * @param leakDetection record each slice's allocation site and report slices never released
   * @param leakReporter receives one message per leaked slice (only with leak detection)
   */
  public Pool(int chunkSize, long maxBytes, boolean leakDetection, Consumer<String> leakReporter) {
    this(null, chunkSize, maxBytes, leakDetection, leakReporter);
  }

  /**
   * A pool that appears in the process's {@link AllocatorRegistry} (MXBean, JFR, {@code stat})
   * as {@code name} (made unique with a {@code -2}, ... suffix); null gives {@code pool:<n>}.
   *
   * @see #Pool(int, long, boolean, Consumer)
   */
  public Pool(String name, int chunkSize, long maxBytes, boolean leakDetection, Consumer<String> leakReporter) {
    if (name != null && name.isEmpty()) {
      throw new IllegalArgumentException("pool name must not be empty");
    }
    if (chunkSize < 0) {
      throw new IllegalArgumentException("chunk size must not be negative: " + chunkSize);
    }
    this.chunkSize = chunkSize == 0 ? DEFAULT_CHUNK_SIZE : chunkSize;
    if (maxBytes < this.chunkSize) {
      throw new IllegalArgumentException("maxBytes " + maxBytes + " is below one chunk of " + this.chunkSize);
    }
    this.maxBytes = maxBytes;
    this.leakDetection = leakDetection;
    this.leakReporter = leakReporter;
    this.registration = AllocatorRegistry.register(name == null ? "pool:" : name,
        "iobuf pool of direct chunks of " + this.chunkSize + " bytes"
            + (maxBytes == Long.MAX_VALUE ? "" : ", at most " + maxBytes + " bytes"), this);
  }

  /** The unique name of this pool in the process's {@link AllocatorRegistry}. */
  public String allocatorName() {
    return registration.name();
  }

  /** The minimum chunk size. */
  public int chunkSize() {
    return chunkSize;
  }

  /** A chunk of at least {@code min} bytes (rounded up to a multiple of the chunk size). */
  Chunk acquire(int min) {
    if (closed) {
      throw new IllegalStateException("pool is closed");
    }
    if (min <= chunkSize) {
      Chunk c = free.pollFirst();
      if (c != null) {
        pooledBytes.addAndGet(-c.capacity());
        c.revive();
        return c;
      }
    }
    long size = ((long) Math.max(min, 1) + chunkSize - 1) / chunkSize * chunkSize;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("allocation of " + min + " bytes is too large for one chunk");
    }
    while (true) {
      long r = reservedBytes.get();
      if (r + size <= maxBytes) {
        if (reservedBytes.compareAndSet(r, r + size)) {
          break;
        }
        continue;
      }
      Chunk drop = free.pollLast(); // make room by dropping a pooled chunk
      if (drop != null) {
        pooledBytes.addAndGet(-drop.capacity());
        reservedBytes.addAndGet(-drop.capacity());
        continue;
      }
      failures.incrementAndGet();
      throw new PoolLimitException("pool limit of " + maxBytes + " bytes reached: " + r
          + " bytes of chunks are held by unreleased slices; cannot add a chunk of " + size + " bytes");
    }
    return new Chunk(this, ByteBuffer.allocateDirect((int) size));
  }

  void recycle(Chunk c) {
    if (!closed && c.capacity() == chunkSize) {
      pooledBytes.addAndGet(c.capacity());
      c.memory.clear();
      free.addFirst(c);
      if (closed && free.remove(c)) { // raced with close(): drop it after all
        pooledBytes.addAndGet(-c.capacity());
        reservedBytes.addAndGet(-c.capacity());
      }
    } else {
      reservedBytes.addAndGet(-c.capacity());
    }
  }

  private record Tally(WeakReference<Thread> thread, long[] counts) {}

  private long[] newTally() {
    long[] t = new long[2];
    tallies.add(new Tally(new WeakReference<>(Thread.currentThread()), t));
    return t;
  }

  private void count(int which) {
    long[] t = tally.get();
    TALLY.setOpaque(t, which, t[which] + 1);
  }

  /** Sums the tallies; those of ended threads are moved into the folded totals and dropped. */
  private long[] counted() {
    long slicesMade = 0;
    long slicesReleased = 0;
    for (Tally t : tallies) {
      Thread th = t.thread().get();
      if (th == null || !th.isAlive()) {
        // Ended: its last writes happen-before isAlive() returned false. Removed first, so two
        // readers never fold it twice (a racing reader may undercount once).
        if (tallies.remove(t)) {
          foldedSlices.addAndGet(t.counts()[T_SLICES]);
          foldedReleased.addAndGet(t.counts()[T_RELEASED]);
        }
        continue;
      }
      slicesMade += (long) TALLY.getOpaque(t.counts(), T_SLICES);
      slicesReleased += (long) TALLY.getOpaque(t.counts(), T_RELEASED);
    }
    return new long[] {slicesMade + foldedSlices.get(), slicesReleased + foldedReleased.get()};
  }

  Slice.Tracker track(Slice s, Chunk chunk) {
    count(T_SLICES);
    if (!leakDetection) {
      return null;
    }
    Slice.Tracker t = new Slice.Tracker(this, chunk, new Throwable("slice allocated here"), s.size());
    tracked.add(t);
    t.cleanable = CLEANER.register(s, t);
    return t;
  }

  void untrack(Slice.Tracker t) {
    count(T_RELEASED);
    if (t != null) {
      tracked.remove(t);
      t.released = true;
      t.cleanable.clean();
    }
  }

  void leaked(Slice.Tracker t) {
    tracked.remove(t);
    leaks.incrementAndGet();
    java.io.StringWriter w = new java.io.StringWriter();
    t.site.printStackTrace(new java.io.PrintWriter(w));
    leakReporter.accept("rainbarrel iobuf: LEAK: a slice of " + t.size
        + " bytes was garbage-collected without release(); its chunk reference was dropped for it. " + w);
  }

  void discard(int bytes) {
    if (bytes != 0) {
      discarded.addAndGet(bytes);
    }
  }

  /** Slices reported as leaked so far (leak detection only). */
  public long leaks() {
    return leaks.get();
  }

  /** Slices allocated and not yet released (tracked only with leak detection; else -1). */
  public int unreleasedSlices() {
    return leakDetection ? tracked.size() : -1;
  }

  /** Stops handing out chunks and drops pooled ones; held slices stay valid until released. */
  @Override
  public void close() {
    closed = true;
    registration.close();
    Chunk c;
    while ((c = free.pollFirst()) != null) {
      pooledBytes.addAndGet(-c.capacity());
      reservedBytes.addAndGet(-c.capacity());
    }
  }

  /** True after {@link #close()}. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public Snapshot statsSnapshot() {
    long pooled = pooledBytes.get();
    long live = reservedBytes.get() - pooled;
    long cap = maxBytes == Long.MAX_VALUE ? 0 : maxBytes;
    long freeBytes = maxBytes == Long.MAX_VALUE ? pooled : maxBytes - live;
    long[] c = counted();
    return new Snapshot("iobuf", "bytes", cap, live, freeBytes, c[T_SLICES], c[T_RELEASED],
        failures.get(), discarded.get(), 1, 0);
  }
}
