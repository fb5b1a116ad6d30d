package dev.rainbarrel.shm;

import dev.rainbarrel.stats.HistogramLayout;
import dev.rainbarrel.stats.LogLinearHistogram;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-thread <em>cells</em> of a fixed set of counters, gauges and one histogram of a {@link
 * Barrel}, so that a hot path updates them without any locked instruction: each platform thread
 * gets a {@link Row} of records that only it writes (a plain read and an opaque/release write, no
 * {@code lock xadd}), and readers add the rows up.
 *
 * <pre>{@code
 * ThreadCells cells = ThreadCells.create(barrel, List.of("requests"), List.of("calling"), "request_duration");
 * int requests = cells.cell("requests"), calling = cells.cell("calling");
 * ThreadCells.Row row = cells.row();   // the calling thread's row (a lookup by thread id)
 * row.add(calling, 1); row.add(requests, 1); row.record(micros); row.add(calling, -1);
 * }</pre>
 *
 * <h2>What a row is in the file</h2>
 *
 * <ul>
 *   <li>For each counter, a <b>counter cell</b>: an ordinary counter-kind slot record of the same
 *       name (empty label) with the CELL flag at metadata offset 40 and the lessee's owner stamp
 *       at offset 48. It belongs to the file, like the counter: it keeps its value when its
 *       process exits or dies, and the next process that leases a row adopts it (lessee 0 or a
 *       dead process) instead of allocating a new slot, so the total stays right.
 *   <li>For each gauge, a <b>gauge cell</b>: a gauge-kind record with the CELL flag, owned by this
 *       process as its base gauge record is: freed on {@link Barrel#close()}, reclaimed when the
 *       process dies, and never counted once its owner is dead.
 *   <li>A <b>histogram row</b> in a block of type {@link Barrel#HISTOGRAM_ROWS_BLOCK} named like
 *       the histogram (rows belong to the file and are adopted like counter cells):
 * </ul>
 *
 * <pre>
 * histogram row block payload (at block offset 512; R = rows, S = row stride, L = region length)
 * off        size  field
 * 0          4     rows R (32)
 * 4          4     row stride S = align(64 + L, 64)
 * 8          4     region offset in a row (64)
 * 12         4     region length L (LogLinearHistogram.regionLength of the histogram's layout)
 * 16         48    reserved, zero
 * 64 + i*S   8     row i: lessee owner stamp, 0 = free (written under the file lock, release)
 * 72 + i*S   8     row i: lessee's pid namespace (inode of /proc/self/ns/pid, 0 = free)
 * 80 + i*S   48    reserved, zero
 * 128 + i*S  L     row i: a LogLinearHistogram region, same layout as the shared histogram
 * </pre>
 *
 * Readers sum: {@link Barrel#entries()} gives a counter as its base record plus its cells, a gauge
 * as its live owners' records; {@link Barrel#histogramSnapshots()} merges the shared histogram and
 * every row. {@link Barrel#counter} and {@link Barrel#gauge} never return a cell.
 *
 * <h2>Leasing and reuse</h2>
 *
 * The first event of a platform thread leases its row: every cell and the histogram row in one
 * hold of the file lock (0.2-0.5 ms measured on a 2-vCPU VM, most of it code that runs too rarely
 * to be compiled, plus the helper thread's start; a few ms when the file must grow), done on a
 * short-lived helper thread so that an interrupt of the calling thread can never close the file's
 * channel (an interrupted {@code FileChannel.lock} would; the caller waits for the helper and
 * keeps its interrupt). {@link #row()} then finds the row in a table indexed by thread id,
 * checked against the row's holder (a ThreadLocal when two live threads share a slot). A row whose thread has ended ({@link
 * Thread#isAlive()}, which also orders the old thread's writes before the new thread's) goes back
 * to a free list in this process and is lent to the next new thread, so the rows in use stay
 * bounded by the peak number of live threads. <b>Virtual threads</b> (JDK 21+) never get a row
 * (one per request would fill the file): they, a thread whose lease failed (file full) and one
 * whose lease took longer than {@link #LEASE_WAIT_MILLIS} (another process holding the file
 * lock) use the shared row, i.e. atomic adds on the base records and the shared histogram. When no
 * histogram row can be had, a row records into the shared histogram atomically.
 *
 * <p>Instances are thread-safe; each {@link Row} may be used only by the thread it was returned
 * to. Rows become unusable ({@link IllegalStateException}) when the Barrel closes.
 */
public final class ThreadCells {

  /**
   * How long a thread's first event waits for its row (a lease takes 0.2-0.5 ms, a few ms when a
   * block is appended); after that, e.g. while another process holds the file's structural lock,
   * the thread goes on with the shared row for good, so a host thread never blocks on the file.
   */
  static final long LEASE_WAIT_MILLIS = 250;

  /** Rows per histogram row block (a block extent each: extents are limited to 128 per file). */
  public static final int ROWS_PER_BLOCK = 32;

  private static final int BY_THREAD = 1024; // a power of two
  private static final int ROWS_HEADER = 64;
  private static final int ROW_HEADER = 64;
  private static final int P_ROWS = 0;
  private static final int P_STRIDE = 4;
  private static final int P_REGION_OFFSET = 8;
  private static final int P_REGION_LENGTH = 12;

  /** {@code Thread.isVirtual()} on JDK 21+, null before (core compiles for JDK 17). */
  private static final MethodHandle IS_VIRTUAL = findIsVirtual();

  private final Barrel barrel;
  private final Barrel.Handle.State state;
  private final String[] counterNames;
  private final String[] gaugeNames;
  private final String histogramName;
  private final LogLinearHistogram sharedHistogram;
  private final Row shared;
  /**
   * Rows by thread id (hashed), written under the monitor only when a row is lent, read without a
   * lock by {@link #row()}: a hit is the calling thread's row exactly when the row's holder is
   * the calling thread, which only that thread (or, before it ran, the lease that it waited for)
   * wrote. A miss (collision, new thread) falls back to the ThreadLocal.
   */
  private final Row[] byThread = new Row[BY_THREAD];
  private final ThreadLocal<Row> rows = new ThreadLocal<>();
  private final List<Row> leased = new ArrayList<>(); // guarded by this
  private final AtomicLong leaseFailures = new AtomicLong();

  private ThreadCells(Barrel barrel, String[] counterNames, String[] gaugeNames, String histogramName) {
    this.barrel = barrel;
    this.state = barrel.handleState();
    this.counterNames = counterNames;
    this.gaugeNames = gaugeNames;
    this.histogramName = histogramName;
    int c = counterNames.length;
    ByteBuffer[] buffers = new ByteBuffer[c + gaugeNames.length];
    int[] indexes = new int[buffers.length];
    for (int i = 0; i < buffers.length; i++) {
      SlotValue v = i < c ? barrel.counter(counterNames[i]) : barrel.gauge(gaugeNames[i - c]);
      buffers[i] = v.buffer();
      indexes[i] = v.index();
    }
    this.sharedHistogram = histogramName == null ? null : barrel.histogram(histogramName);
    this.shared = new Row(state, buffers, indexes, sharedHistogram, true, true);
  }

  /**
   * Registers the base records (counters, this process's gauges, the shared histogram) and returns
   * the cells of these names; no row is leased until a thread asks for one.
   *
   * @param histogram the histogram's name, or null for none
   * @throws IllegalArgumentException if a name is given twice or is invalid
   */
  public static ThreadCells create(Barrel barrel, List<String> counters, List<String> gauges, String histogram) {
    List<String> all = new ArrayList<>(counters);
    all.addAll(gauges);
    if (all.stream().distinct().count() != all.size()) {
      throw new IllegalArgumentException("a name is given twice: " + all);
    }
    return new ThreadCells(barrel, counters.toArray(new String[0]), gauges.toArray(new String[0]), histogram);
  }

  /** The index of the cell {@code name} for {@link Row#add}: counters first, then gauges. */
  public int cell(String name) {
    List<String> all = new ArrayList<>(Arrays.asList(counterNames));
    all.addAll(Arrays.asList(gaugeNames));
    int i = all.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no cell named '" + name + "' among " + all);
    }
    return i;
  }

  /**
   * The calling thread's row: its own cells for a platform thread (leased on its first call), the
   * shared row for a virtual thread or when no row could be leased. Allocation-free and lock-free
   * after the first call of a thread: one read of a table by thread id, or a ThreadLocal lookup.
   */
  public Row row() {
    Thread t = Thread.currentThread();
    @SuppressWarnings("deprecation") // threadId() is JDK 19+; getId() returns the same
    Row r = byThread[(int) t.getId() & (BY_THREAD - 1)];
    if (r != null && r.thread == t) {
      return r; // cheaper than the ThreadLocal lookup below (a few ns per event)
    }
    return slowRow(t);
  }

  private Row slowRow(Thread t) {
    if (isVirtual(t)) {
      return shared;
    }
    Row r = rows.get();
    return r != null ? r : lease(t);
  }

  /** The row of atomic adds on the base records and the shared histogram. */
  public Row sharedRow() {
    return shared;
  }

  /** Rows leased by this instance (in use or free for the next new thread). */
  public synchronized int rowsLeased() {
    return leased.size();
  }

  /** Leases that failed (file full, I/O error); those threads use the shared row. */
  public long leaseFailures() {
    return leaseFailures.get();
  }

  private Row lease(Thread t) {
    Row r = lendFree(t);
    if (r == null) {
      boolean[] gaveUp = {false}; // guarded by this: the waiting thread stopped waiting
      FutureTask<Row> task = new FutureTask<>(() -> {
        Barrel.RowLease lease = barrel.leaseRow(counterNames, gaugeNames, histogramName,
            sharedHistogram == null ? null : sharedHistogram.layout());
        Row row = new Row(state, lease.buffers, lease.indexes,
            lease.histogram != null ? lease.histogram : sharedHistogram, false, lease.histogram == null);
        synchronized (this) {
          row.thread = gaveUp[0] ? null : t; // given up on: free for the next new thread
          leased.add(row);
        }
        return row;
      });
      try {
        Thread helper = new Thread(task, "rainbarrel-cells-lease");
        helper.setDaemon(true);
        helper.start();
      } catch (OutOfMemoryError | RuntimeException noThread) { // e.g. the host's thread limit
        leaseFailures.incrementAndGet();
        rows.set(shared);
        return shared;
      }
      boolean interrupted = false;
      try {
        while (true) {
          try {
            // the host's interrupt waits for the lease (well under a ms), it is not lost
            r = task.get(LEASE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (TimeoutException slow) {
            r = giveUpWaiting(t, gaveUp);
            if (r == null) { // e.g. another process holds the file lock: never block the host
              leaseFailures.incrementAndGet();
              rows.set(shared);
              return shared;
            }
            break;
          }
        }
      } catch (ExecutionException e) {
        leaseFailures.incrementAndGet();
        rows.set(shared); // e.g. the file is full: this thread stays on the shared row
        return shared;
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
    rows.set(r);
    synchronized (this) {
      @SuppressWarnings("deprecation")
      int i = (int) t.getId() & (BY_THREAD - 1);
      Row other = byThread[i];
      if (other == null || other.thread == null || !other.thread.isAlive() || other == r) {
        byThread[i] = r; // else a live thread keeps the slot and this one uses the ThreadLocal
      }
    }
    return r;
  }

  /**
   * After {@link #LEASE_WAIT_MILLIS}: the row the lease lent to {@code t} if it finished meanwhile,
   * else null, and the lease, when it finishes, leaves its row free for the next new thread.
   */
  private synchronized Row giveUpWaiting(Thread t, boolean[] gaveUp) {
    for (Row r : leased) {
      if (r.thread == t) {
        return r;
      }
    }
    gaveUp[0] = true;
    return null;
  }

  /** A row already lent to {@code t}, else one whose thread has ended, now lent to t; or null. */
  private synchronized Row lendFree(Thread t) {
    for (Row r : leased) {
      if (r.thread == t) {
        return r;
      }
    }
    for (Row r : leased) {
      Thread holder = r.thread;
      if (holder == null || !holder.isAlive()) {
        r.thread = t;
        return r;
      }
    }
    return null;
  }

  /** One thread's cells (or the shared row). Use it only from the thread it was returned to. */
  public static final class Row {
    private final Barrel.Handle.State state;
    private final ByteBuffer[] buffers;
    private final int[] indexes;
    private final LogLinearHistogram histogram;
    private final boolean atomic;
    private final boolean histogramAtomic;
    // The thread the row is lent to: written under the ThreadCells monitor (by that thread, or by
    // the lease it waits for), read without it by row(), where only the holder itself can match.
    private Thread thread;

    Row(Barrel.Handle.State state, ByteBuffer[] buffers, int[] indexes, LogLinearHistogram histogram,
        boolean atomic, boolean histogramAtomic) {
      this.state = state;
      this.buffers = buffers;
      this.indexes = indexes;
      this.histogram = histogram;
      this.atomic = atomic;
      this.histogramAtomic = histogramAtomic;
    }

    /**
     * Adds {@code delta} (may be negative) to cell {@code cell}: a plain read and an opaque write
     * on this thread's own record, or an atomic add on the shared row. Allocation-free.
     *
     * @throws IllegalStateException if the Barrel is closed
     */
    public void add(int cell, long delta) {
      if (state.closed) {
        throw new IllegalStateException("barrel closed: its thread cells can no longer be used");
      }
      ByteBuffer b = buffers[cell];
      int i = indexes[cell];
      if (atomic) {
        Barrel.LONG.getAndAdd(b, i, delta);
      } else {
        Barrel.LONG.setOpaque(b, i, (long) Barrel.LONG.get(b, i) + delta);
      }
    }

    /**
     * Records {@code value} into this thread's histogram row (single-writer, no locked
     * instruction), or atomically into the shared histogram. Allocation-free.
     *
     * @throws IllegalStateException if the Barrel is closed or the cells have no histogram
     */
    public void record(long value) {
      if (state.closed || histogram == null) {
        throw new IllegalStateException(histogram == null ? "these thread cells have no histogram"
            : "barrel closed: its thread cells can no longer be used");
      }
      if (histogramAtomic) {
        histogram.record(value);
      } else {
        histogram.recordSingleWriter(value);
      }
    }

    /** True for the shared row (atomic adds on the base records). */
    public boolean isShared() {
      return atomic;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Histogram row blocks (layout in the class comment)

  /** Payload bytes of a row block for histograms of {@code layout}. */
  static int rowBlockPayloadLength(HistogramLayout layout) {
    return ROWS_HEADER + ROWS_PER_BLOCK * rowStride(LogLinearHistogram.regionLength(layout));
  }

  private static int rowStride(int regionLength) {
    return BarrelLayout.align(ROW_HEADER + regionLength, 64);
  }

  /** Writes the row block header and formats every row's region (caller holds the file lock). */
  static void formatRowBlock(Block b, HistogramLayout layout) {
    ByteBuffer x = b.buffer();
    int length = LogLinearHistogram.regionLength(layout);
    x.putInt(b.offset() + P_ROWS, ROWS_PER_BLOCK);
    x.putInt(b.offset() + P_STRIDE, rowStride(length));
    x.putInt(b.offset() + P_REGION_OFFSET, ROW_HEADER);
    x.putInt(b.offset() + P_REGION_LENGTH, length);
    for (int r = 0; r < ROWS_PER_BLOCK; r++) {
      LogLinearHistogram.format(x, regionOffset(b, r), layout);
    }
  }

  /** Rows of a row block, checked against the block's length. */
  static int rowCount(Block b) {
    ByteBuffer x = b.buffer();
    int rows = x.getInt(b.offset() + P_ROWS);
    int stride = x.getInt(b.offset() + P_STRIDE);
    int regionOffset = x.getInt(b.offset() + P_REGION_OFFSET);
    int length = x.getInt(b.offset() + P_REGION_LENGTH);
    if (rows < 0 || stride <= 0 || (stride & 7) != 0 || regionOffset != ROW_HEADER || length <= 0
        || regionOffset + length > stride || ROWS_HEADER + (long) rows * stride > b.length()) {
      throw new IllegalArgumentException("bad row block header: " + rows + " rows of " + stride
          + " bytes (region at " + regionOffset + ", " + length + " bytes) in a " + b.length() + "-byte block");
    }
    return rows;
  }

  /** Offset in the block's buffer of row {@code r}'s lessee stamp. */
  static int lesseeOffset(Block b, int r) {
    return b.offset() + ROWS_HEADER + r * b.buffer().getInt(b.offset() + P_STRIDE);
  }

  /** Offset in the block's buffer of row {@code r}'s histogram region. */
  static int regionOffset(Block b, int r) {
    return lesseeOffset(b, r) + ROW_HEADER;
  }

  /** Length of each row's histogram region. */
  static int regionLength(Block b) {
    return b.buffer().getInt(b.offset() + P_REGION_LENGTH);
  }

  /** Every row of a row block, for readers (a row never leased is empty and adds nothing). */
  static List<LogLinearHistogram> histogramRows(Block b) {
    int rows = rowCount(b);
    List<LogLinearHistogram> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      out.add(LogLinearHistogram.wrap(b.buffer(), regionOffset(b, r), regionLength(b)));
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------

  private static MethodHandle findIsVirtual() {
    try {
      return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null; // JDK 17-20: no virtual threads
    }
  }

  /** {@code t.isVirtual()} on JDK 21+, false before. */
  static boolean isVirtual(Thread t) {
    MethodHandle h = IS_VIRTUAL;
    if (h == null) {
      return false;
    }
    try {
      return (boolean) h.invokeExact(t);
    } catch (Throwable e) {
      return false;
    }
  }
}
