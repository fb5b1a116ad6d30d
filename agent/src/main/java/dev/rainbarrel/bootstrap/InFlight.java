package dev.rainbarrel.bootstrap;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The requests in flight, keyed by the identity of the server's own request object, in fixed-size
 * arrays: tracking a request allocates nothing, and ending it is exactly-once because the ending
 * thread must win a compare-and-set on the key.
 *
 * <p>Slot states (per index {@code i}):
 *
 * <pre>
 *   (calling[i] counts the slot's event-driven requests holding the calling gauge: the current
 *    one until its commit, plus each queued one; queued[i] counts pipelined requests waiting
 *    behind the current one (same key, event-driven only); aborted[i] is 1 once the server saw
 *    the current response aborted or a framework reported the request failed)
 *   keys[i]        status[i]                 starts[i]
 *   null           0                         -           free
 *   request        0 = not committed          nanoTime    tracked
 *                  100..599 = committed with that status
 *                  -1 = committed, status unknown yet
 *   ENDING         -                          -           being released by the thread that won end();
 *                                                         back to the key if queued[i] > 0 (the next
 *                                                         pipelined request is current), else null
 * </pre>
 *
 * <p>A key lives in one of {@link #PROBES} consecutive slots from its identity hash. Lookups scan
 * all of them (no early stop at a free slot, so removals need no tombstones). When all are taken
 * the request is not tracked ({@link #untracked()} counts them): it is then neither committed nor
 * ended, so nothing can leak, it is just not counted.
 */
final class InFlight {

  /** Slots in the table: in-flight requests beyond this (per probe window) go uncounted. */
  static final int CAPACITY = 1 << 14;

  /** Consecutive slots a key may occupy. */
  static final int PROBES = 16;

  private static final int MASK = CAPACITY - 1;
  private static final Object ENDING = new Object();
  static final int NOT_COMMITTED = 0;
  static final int COMMITTED_NO_STATUS = -1;

  private final AtomicReferenceArray<Object> keys = new AtomicReferenceArray<>(CAPACITY);
  private final AtomicIntegerArray status = new AtomicIntegerArray(CAPACITY);
  private final AtomicLongArray starts = new AtomicLongArray(CAPACITY);
  /**
   * How many of the slot's event-driven requests (no handler frame) hold {@code calling} up: the
   * current one until its commit, and each pipelined one queued behind it.
   */
  private final AtomicIntegerArray calling = new AtomicIntegerArray(CAPACITY);

  /**
   * 1 once the server reported the response aborted (e.g. the client went away mid-write) or a
   * framework reported the request failed ({@code Bridge.markError}): it ends as an error.
   */
  private final AtomicIntegerArray aborted = new AtomicIntegerArray(CAPACITY);

  /** Pipelined requests queued behind the current one of the same key (event-driven only). */
  private final AtomicIntegerArray queued = new AtomicIntegerArray(CAPACITY);

  /** Bit set in {@link #end}'s result when the ended request still held {@code calling}. */
  static final long CALLING_BIT = 1L << 32;

  /** Bit set in {@link #end}'s result when the ended request was {@link #markAborted marked aborted}. */
  static final long ABORTED_BIT = 1L << 33;
  private final java.util.concurrent.atomic.AtomicLong untracked =
      new java.util.concurrent.atomic.AtomicLong();

  private static int home(Object key) {
    int h = System.identityHashCode(key);
    return (h ^ (h >>> 16)) & MASK;
  }

  /** Index of {@code key}, or -1. */
  int find(Object key) {
    int i = home(key);
    for (int n = 0; n < PROBES; n++, i = (i + 1) & MASK) {
      if (keys.get(i) == key) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Starts tracking {@code key} unless it is tracked already.
   *
   * @return true if this call started tracking it
   */
  boolean begin(Object key, long now) {
    return begin(key, now, false);
  }

  /**
   * Starts tracking {@code key} unless it is tracked already; with {@code holdsCalling} the
   * request holds {@code calling} until {@link #commit} or {@link #end}.
   */
  boolean begin(Object key, long now, boolean holdsCalling) {
    int r = claim(key, now, holdsCalling);
    if (r == UNTRACKED) {
      untracked.incrementAndGet();
    }
    return r >= 0;
  }

  /** {@link #beginAsync} result: this call started tracking the key. */
  static final int STARTED = 1;

  /** {@link #beginAsync} result: the key was busy; this request queues behind it (pipelining). */
  static final int QUEUED = 2;

  /** Pipelined requests that may queue behind one key; more are not counted ({@link #untracked}). */
  static final int MAX_QUEUED = 1024;

  /**
   * Starts an event-driven request on {@code key} (a connection): it holds {@code calling} until
   * its commit or its end. If the key is busy with an earlier request (HTTP/1.1 pipelining: the
   * next request is decoded before the previous response is done) it queues behind it, holding
   * {@code calling} too, and becomes the key's current request when the previous one {@link #end
   * ends}. Callers for one key must be one thread (Netty's channel event loop is).
   *
   * @return {@link #STARTED}, {@link #QUEUED}, or 0 if not tracked (no free slot, queue full)
   */
  int beginAsync(Object key, long now) {
    int r = claim(key, now, true);
    if (r >= 0) {
      return STARTED;
    }
    if (r != UNTRACKED) { // busy: r is -(index + 1)
      int i = -r - 1;
      if (queued.get(i) < MAX_QUEUED) {
        queued.getAndIncrement(i);
        calling.getAndIncrement(i);
        return QUEUED;
      }
    }
    untracked.incrementAndGet();
    return 0;
  }

  private static final int UNTRACKED = Integer.MIN_VALUE;

  /**
   * Tracks {@code key} in a free slot of its window.
   *
   * @return the slot index if this call claimed one, {@code -(index + 1)} if the key is tracked
   *     already at {@code index}, or {@link #UNTRACKED} if no slot was free
   */
  private int claim(Object key, long now, boolean holdsCalling) {
    // One pass both looks for the key (all PROBES slots: there are no tombstones) and notes the
    // first free slot, so a new request costs one scan of its window, not two.
    int home = home(key);
    int firstFree = -1;
    for (int n = 0, i = home; n < PROBES; n++, i = (i + 1) & MASK) {
      Object k = keys.get(i);
      if (k == key) {
        return -i - 1;
      }
      if (k == null && firstFree < 0) {
        firstFree = n;
      }
    }
    if (firstFree >= 0) {
      for (int n = firstFree, i = (home + firstFree) & MASK; n < PROBES; n++, i = (i + 1) & MASK) {
        if (keys.get(i) == null && keys.compareAndSet(i, null, key)) {
          // status[i], calling[i] and queued[i] are 0: end() clears them before freeing the slot.
          starts.setRelease(i, now);
          if (holdsCalling) {
            calling.set(i, 1);
          }
          return i;
        }
      }
    }
    return UNTRACKED;
  }

  /** Marks {@code key} aborted (it will end as an error); false if it is not tracked. */
  boolean markAborted(Object key) {
    int i = find(key);
    if (i < 0) {
      return false;
    }
    aborted.set(i, 1);
    return true;
  }

  /** {@link #commit} result bit: this call committed the request ({@code writing} goes up). */
  static final int COMMITTED = 1;

  /** {@link #commit} result bit: the request held {@code calling} and this commit released it. */
  static final int RELEASED_CALLING = 2;

  /**
   * Marks {@code key} committed and, if it held {@code calling} (event-driven), releases that: one
   * lookup for both.
   *
   * @param code the status being sent, or a value outside 100..599 if unknown
   * @return 0 if it was not tracked or already committed, else {@link #COMMITTED}, with {@link
   *     #RELEASED_CALLING} when this call released its {@code calling}
   */
  int commit(Object key, int code) {
    int i = find(key);
    if (i < 0) {
      return 0;
    }
    int value = code >= 100 && code <= 599 ? code : COMMITTED_NO_STATUS;
    if (!status.compareAndSet(i, NOT_COMMITTED, value)) {
      return 0;
    }
    return releaseOne(i) ? COMMITTED | RELEASED_CALLING : COMMITTED;
  }

  /**
   * Releases one request's hold on {@code calling} in slot {@code i}, if any holds it. Read first:
   * thread-per-request slots never hold calling, and a failing CAS still costs a locked
   * instruction. Each unit is released by exactly one successful CAS.
   */
  private boolean releaseOne(int i) {
    for (int c; (c = calling.get(i)) > 0; ) {
      if (calling.compareAndSet(i, c, c - 1)) {
        return true;
      }
    }
    return false;
  }

  /** {@link #end(Object, long[], long)} with the current time. */
  long end(Object key, long[] startOut) {
    return end(key, startOut, System.nanoTime());
  }

  /**
   * Ends the current request of {@code key}; only one caller per tracked request gets a result.
   * If pipelined requests queue behind it, the next one becomes current (started {@code now},
   * i.e. when it reaches the front: its earlier wait is not measured); else the slot is freed.
   *
   * @return -1 if not tracked (or already ended), else the slot's status word in the low 32 bits
   *     ({@link #CALLING_BIT} set if it still held {@code calling}) and the start time in {@code
   *     startOut[0]}
   */
  long end(Object key, long[] startOut, long now) {
    int i = find(key);
    if (i < 0 || !keys.compareAndSet(i, key, ENDING)) {
      return -1;
    }
    // This thread owns the slot now (the key is ENDING). A request that was committed released
    // its calling at the commit; one that was not releases it here (queued requests keep theirs).
    // The other fields are reset with release stores, published by the release store of the key,
    // so no full fence is paid per request.
    int s = status.get(i);
    boolean held = s == NOT_COMMITTED && releaseOne(i);
    boolean wasAborted = aborted.get(i) == 1;
    if (wasAborted) {
      aborted.setRelease(i, 0);
    }
    startOut[0] = starts.getAcquire(i);
    status.setRelease(i, NOT_COMMITTED);
    if (queued.get(i) > 0) {
      queued.getAndDecrement(i);
      starts.setRelease(i, now);
      keys.setRelease(i, key); // the next pipelined request is current now
    } else {
      keys.setRelease(i, null);
    }
    return (s & 0xFFFFFFFFL) | (held ? CALLING_BIT : 0) | (wasAborted ? ABORTED_BIT : 0);
  }

  /** Requests that found no free slot and were not counted. */
  long untracked() {
    return untracked.get();
  }
}
