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
 */
final class ThreadCursor {
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

  // Counts not yet added to the shared header (fields, not an array: no index checks per count).
  private long allocations;
  private long frees;
  private long failures;
  /** Operations left before this thread adds its tally to the shared header. */
  private int untilPublish = Arena.PUBLISH_EVERY;
  final Thread thread;

  /** Offset of the region's header, or -1 when the thread has no region. */
  int region = -1;
  /** End of the region (exclusive); 0 without a region, so that nothing fits. */
  int end;
  /** Where the next block of the region goes. */
  int top;
  /** Offset of the region's most recent allocation (the one a free may return), or -1. */
  int last = -1;

  ThreadCursor(Thread thread) {
    this.thread = thread;
  }

  // One small method per kind, so that the allocator's inlined fast paths stay small.

  /** Counts an allocation; true when the tally is due to be published. */
  boolean countAllocation() {
    ALLOCATIONS_VH.setOpaque(this, allocations + 1);
    return --untilPublish <= 0 && due();
  }

  /** Counts a free; true when the tally is due to be published. */
  boolean countFree() {
    FREES_VH.setOpaque(this, frees + 1);
    return --untilPublish <= 0 && due();
  }

  /** Counts a failed allocation; true when the tally is due to be published. */
  boolean countFailure() {
    FAILURES_VH.setOpaque(this, failures + 1);
    return --untilPublish <= 0 && due();
  }

  private boolean due() {
    untilPublish = Arena.PUBLISH_EVERY;
    return true;
  }

  /** The unpublished count of kind {@code which}, read from any thread. */
  long unpublished(int which) {
    return (long) handle(which).getOpaque(this);
  }

  /** Takes the unpublished count (zeroed first: a racing reader undercounts, never twice). */
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
