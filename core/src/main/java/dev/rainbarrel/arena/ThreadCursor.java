package dev.rainbarrel.arena;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What one thread keeps per {@link Arena} handle: its statistics tally and the cursor of its
 * thread region (see {@link Arena}, <em>Thread regions</em>).
 *
 * <p>Only the owning thread writes the region fields, with plain stores; another thread touches
 * them only after the owner has died (the handle's sweep) or when the handle closes, both under
 * this object's monitor. The tally is written by the owner with opaque stores and read by
 * {@link Arena#statsSnapshot} from any thread.
 *
 * <p>Layout: those fields ({@link ThreadCursorFields}) sit between two cache lines of padding.
 * Two threads' cursors are usually allocated one right after the other; unpadded, they shared a
 * line that both threads wrote on every operation, and a two-thread allocate + free cost 30-43 ns
 * instead of 23-27 (ArenaBumpBenchmark). HotSpot places a superclass's fields before its
 * subclass's, which is what the three-class split relies on (as Agrona and JCTools do).
 *
 * <pre>
 *   header region | pb0..pb7 (64 B) | allocations frees failures end top last thread | pa0..pa7 (64 B)
 * </pre>
 *
 * (As laid out by HotSpot 17 and 25, read with {@code Unsafe.objectFieldOffset}: the int
 * {@code region} goes into the 4-byte gap after the object header, ahead of the padding, and the
 * {@code thread} reference after {@code last}. {@code region} changes only when the thread enters
 * or leaves a region, so its line is read, not written, on every operation, and the padding still
 * keeps the written fields off any line another object's fields share.)
 */
final class ThreadCursor extends ThreadCursorFields {
  // a cache line of padding after the fields this cursor's thread writes on every operation
  long pa0, pa1, pa2, pa3, pa4, pa5, pa6, pa7;

  static final int ALLOCATIONS = 0;
  static final int FREES = 1;
  static final int FAILURES = 2;

  // One static final handle per field: the JIT inlines a constant VarHandle, not an array element.
  private static final VarHandle ALLOCATIONS_VH = field("allocations");
  private static final VarHandle FREES_VH = field("frees");
  private static final VarHandle FAILURES_VH = field("failures");

  private static VarHandle field(String name) {
    try {
      return MethodHandles.lookup().findVarHandle(ThreadCursor.class, name, long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static VarHandle handle(int which) {
    return which == ALLOCATIONS ? ALLOCATIONS_VH : which == FREES ? FREES_VH : FAILURES_VH;
  }

  final Thread thread;

  ThreadCursor(Thread thread) {
    this.thread = thread;
  }

  // One small method per kind, so that the allocator's inlined fast paths stay small. A kind's
  // own unpublished count says when to publish: no separate countdown field, so one load and one
  // store less per count (the tally as a whole is about 4 of an allocate + free's 20 ns).

  /** Counts an allocation; true when the tally is due to be published. */
  boolean countAllocation() {
    long n = allocations + 1;
    ALLOCATIONS_VH.setOpaque(this, n);
    return n >= Arena.PUBLISH_EVERY;
  }

  /** Counts a free; true when the tally is due to be published. */
  boolean countFree() {
    long n = frees + 1;
    FREES_VH.setOpaque(this, n);
    return n >= Arena.PUBLISH_EVERY;
  }

  /** Counts a failed allocation; true when the tally is due to be published. */
  boolean countFailure() {
    long n = failures + 1;
    FAILURES_VH.setOpaque(this, n);
    return n >= Arena.PUBLISH_EVERY;
  }

  /** The unpublished count of kind {@code which}, read from any thread. */
  long unpublished(int which) {
    return (long) handle(which).getOpaque(this);
  }

  /**
   * Takes the unpublished count (zeroed first: a racing reader undercounts, never twice). One taker
   * at a time: the owner, the sweeper that removed an ended thread's cursor, or {@code close()}.
   */
  long take(int which) {
    VarHandle h = handle(which);
    long v = (long) h.getOpaque(this);
    if (v != 0) {
      h.setOpaque(this, 0L);
    }
    return v;
  }

  void enter(int region, int end) {
    this.region = region;
    this.end = end;
    this.top = region + Arena.BLOCK_HEADER;
    this.last = -1;
  }

  void leave() {
    region = -1;
    end = 0;
    top = 0;
    last = -1;
  }
}

/** A cache line of padding ahead of the cursor's hot fields (a superclass's fields come first). */
abstract class ThreadCursorPadding {
  long pb0, pb1, pb2, pb3, pb4, pb5, pb6, pb7;
}

/**
 * The fields a {@link ThreadCursor}'s thread writes on every allocate and free, between two cache
 * lines of padding, so that two threads' cursors (allocated one after the other) never share a
 * line.
 */
abstract class ThreadCursorFields extends ThreadCursorPadding {
  // Counts not yet added to the shared header (fields, not an array: no index checks per count).
  long allocations;
  long frees;
  long failures;
  /** Offset of the region's header, or -1 when the thread has no region. */
  int region = -1;
  /** End of the region (exclusive); 0 without a region, so that nothing fits. */
  int end;
  /** Where the next block of the region goes. */
  int top;
  /** Offset of the region's most recent allocation (the one a free may return), or -1. */
  int last = -1;
}
