package dev.rainbarrel.bootstrap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The requests in flight, keyed by the identity of the server's own request object, in fixed-size
 * arrays: tracking a request allocates nothing, and ending it is exactly-once because the ending
 * thread must win a compare-and-set on the key.
 *
 * <p>A slot is the key (in {@code keys}) and two longs side by side in {@code words}, so one
 * request touches two cache lines, not one per field (a server with a new request object per
 * request, such as the JDK's, lands on a cold slot every time):
 *
 * <pre>
 *   keys[i]   words[2i] = state                                           words[2i+1]
 *   null      generation only (LIVE clear)                                -            free
 *   request   bits  0-15 status: 0 not committed, 100..599 committed      start        tracked
 *                        with it, 0xFFFF committed with no status yet     (nanoTime)
 *             bit  16    aborted: the server saw the response aborted,
 *                        or a framework reported the request failed
 *             bit  17    LIVE: the slot's request is current; clear while
 *                        the slot is free, being taken, or ending
 *             bits 20-31 calling: how many of the slot's event-driven
 *                        requests hold the calling gauge (the current one
 *                        until its commit, plus each queued one)
 *             bits 32-43 queued: pipelined requests waiting behind the
 *                        current one (same key, event-driven only)
 *             bits 44-63 generation: +1 each time the slot is freed or
 *                        passes to the next pipelined request, so a
 *                        compare-and-set prepared for one tenant fails
 *                        on the next (kept while the slot is free)
 * </pre>
 *
 * <p>Ownership is decided on the state word alone: only a word with LIVE set is ever changed by a
 * compare-and-set, and the thread that wins the one compare-and-set clearing LIVE ends the
 * request. Whoever holds a slot whose LIVE is clear (the taker after its compare-and-set on the
 * key, the ender while it passes the slot to a pipelined request) is its only writer and uses
 * plain release stores. So a request costs three locked instructions: the key's compare-and-set
 * when it is tracked, the commit's and the end's on the state word. A change made by a thread
 * other than the one that ends the request (a mark or a commit from another thread) reads the
 * word, checks LIVE and that the slot still holds its key, and then compares-and-sets that word:
 * if the request ended in between, the word changed and the change does not land on the slot's
 * next request.
 *
 * <p>A key lives in one of {@link #PROBES} consecutive slots from its identity hash (or, for a
 * server that registered one with {@link #placeBy}, the hash of its connection). Lookups scan
 * all of them (no early stop at a free slot, so removals need no tombstones).
 *
 * <p><b>Overflow.</b> When all of a key's slots are taken (about ten thousand requests in flight
 * at once in the first table: long polls, server-sent events), the key goes to an overflow table
 * four times larger, made on first need, and so on up to {@code 2^maxBits} slots (over a million
 * requests in flight with the defaults). A key is in one table at a time: a table takes a new key
 * only after checking that no deeper table tracks it, and lookups that miss go one table deeper,
 * so the first table's hot path gains one read of a null field. Only when the last table is full
 * too (or the memory for a new one cannot be had) is a request not tracked ({@link #untracked()}
 * counts them): it is then neither committed nor ended, so nothing can leak, it is just not counted.
 *
 * <p>A key that is an {@link InFlightSlot} (a server request class the agent gave a slot field
 * when it was loaded) is placed differently: in the first free slot of the tracking thread's
 * window (or, when that is full, of its own hash's window), and the slot is written into the key.
 * Lookups read that field and check the one slot, so no identity hash is installed on a new
 * request object and nothing is scanned; a thread that serves one request after another reuses
 * the same warm slot. Such a key is never looked for anywhere else: every tracking of it records
 * its slot. As with the hash, a lookup that races with the tracking of the same request (no
 * happens-before between them) may miss it; servers hand a request to another thread only after
 * it was tracked.
 */
final class InFlight {

  /** Size of the first table, as a power of two. */
  static final int BITS = 14;

  /** Slots in the first table. */
  static final int CAPACITY = 1 << BITS;

  /** Size of the largest overflow table, as a power of two (2^20 slots: 20 MiB of arrays). */
  static final int MAX_BITS = 20;

  /** Consecutive slots a key may occupy. */
  static final int PROBES = 16;

  private final int bits;
  private final int mask;
  private final int maxBits;
  /** Slots of the shallower tables: a slot field holds {@code base + index + 1}. */
  private final int base;
  static final int NOT_COMMITTED = 0;
  static final int COMMITTED_NO_STATUS = -1;

  private static final long STATUS_MASK = 0xFFFFL;
  private static final long NO_STATUS = 0xFFFFL;
  private static final long ABORTED = 1L << 16;
  private static final long LIVE = 1L << 17;
  private static final int CALLING_SHIFT = 20;
  private static final long CALLING_ONE = 1L << CALLING_SHIFT;
  private static final long CALLING_MASK = 0xFFFL << CALLING_SHIFT;
  private static final long QUEUED_ONE = 1L << 32;
  private static final long QUEUED_MASK = 0xFFFL << 32;
  private static final int GENERATION_SHIFT = 44;
  private static final long GENERATION_ONE = 1L << GENERATION_SHIFT;
  private static final long GENERATION_MASK = -1L << GENERATION_SHIFT;

  private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle KEY = MethodHandles.arrayElementVarHandle(Object[].class);

  /** The keys, read and written through {@link #KEY} (volatile, CAS, release). */
  private final Object[] keys;
  /** Per slot: the state word at {@code 2i}, the start time at {@code 2i + 1}. */
  private final long[] words;
  private final AtomicLong untracked = new AtomicLong();

  /** The next, larger table; null until this one had no free slot for a key. */
  private volatile InFlight overflow;

  /**
   * Keys in an overflow table (the first table does not count): once a burst is over, a new key
   * of the first table sees 0 here instead of scanning a cold window of this table.
   */
  private final AtomicInteger live = new AtomicInteger();

  /** Set when the memory for the next table could not be had: do not try again on every request. */
  private volatile boolean overflowFailed;

  /** The first table ({@link #CAPACITY} slots), growing up to 2^{@link #MAX_BITS}. */
  InFlight() {
    this(BITS, MAX_BITS, 0);
  }

  /**
   * A first table of 2^{@code bits} slots whose overflow tables grow 4× each, up to 2^{@code
   * maxBits}; {@code maxBits == bits} makes a table without overflow.
   */
  InFlight(int bits, int maxBits) {
    this(bits, maxBits, 0);
  }

  private InFlight(int bits, int maxBits, int base) {
    if (bits < 4 || bits > maxBits || maxBits > 24) {
      throw new IllegalArgumentException("table bits " + bits + ".." + maxBits);
    }
    this.bits = bits;
    this.mask = (1 << bits) - 1;
    this.maxBits = maxBits;
    this.base = base;
    this.keys = new Object[1 << bits];
    this.words = new long[2 << bits];
  }

  /**
   * The next table, made now if there is none yet; null if this is the largest or there is no
   * memory for it (the request is then not tracked; the server must not suffer for it).
   */
  private InFlight grow() {
    InFlight o = overflow;
    if (o != null || bits >= maxBits || overflowFailed) {
      return o;
    }
    synchronized (this) {
      o = overflow;
      if (o == null) {
        try {
          o = new InFlight(Math.min(bits + 2, maxBits), maxBits, base + mask + 1);
        } catch (OutOfMemoryError e) {
          overflowFailed = true;
          return null;
        }
        o.placement = placement;
        overflow = o;
      }
      return o;
    }
  }

  /** Slots in this table and its overflow tables made so far. */
  int capacity() {
    InFlight o = overflow;
    return mask + 1 + (o == null ? 0 : o.capacity());
  }

  /**
   * Where keys of one class are placed instead of by their own identity hash (see {@link
   * #placeBy}); null until a server registers one.
   */
  private volatile Placement placement;

  /** Keys of {@code keyClass} are placed by the identity hash of {@code source.apply(key)}. */
  private static final class Placement {
    final Class<?> keyClass;
    final Function<Object, Object> source;

    Placement(Class<?> keyClass, Function<Object, Object> source) {
      this.keyClass = keyClass;
      this.source = source;
    }
  }

  /**
   * Places keys of exactly {@code keyClass} in the window of another object's identity hash:
   * {@code source} maps a key to an object that lives longer and holds one request at a time (an
   * HTTP/1 connection), or to the key itself. A server with a new request object per request
   * then pays the JVM's identity-hash installation once per connection instead of once per
   * request. {@code source} must give the same answer for a key every time and never throw.
   * Servers register it from the request object's constructor, i.e. before its requests are
   * tracked; a key tracked before the registration is still found ({@link #find} falls back to
   * the key's own hash). Only the first registration is kept: keys of other classes keep their
   * own hash, which is always correct.
   */
  void placeBy(Class<?> keyClass, Function<Object, Object> source) {
    if (placement == null) {
      synchronized (this) {
        if (placement == null) {
          placement = new Placement(keyClass, source);
        }
      }
    }
    InFlight o = overflow; // one made before the registration (a table made later copies it)
    if (o != null) {
      o.placeBy(keyClass, source);
    }
  }

  /** Whether keys of {@code keyClass} are placed by a registered source. */
  boolean placedBy(Class<?> keyClass) {
    Placement p = placement;
    return p != null && p.keyClass == keyClass;
  }

  /** The object whose identity hash places {@code key}: its registered source, or itself. */
  private Object placer(Object key) {
    Placement p = placement;
    if (p != null && key.getClass() == p.keyClass) {
      Object source = p.source.apply(key);
      if (source != null) {
        return source;
      }
    }
    return key;
  }

  private int window(Object placer) {
    int h = System.identityHashCode(placer);
    return (h ^ (h >>> 16)) & mask;
  }

  private int home(Object key) {
    return window(placer(key));
  }

  private long state(int i) {
    return (long) WORD.getVolatile(words, i << 1);
  }

  private boolean casState(int i, long expected, long value) {
    return WORD.compareAndSet(words, i << 1, expected, value);
  }

  private static int calling(long w) {
    return (int) ((w & CALLING_MASK) >>> CALLING_SHIFT);
  }

  private static int queued(long w) {
    return (int) ((w & QUEUED_MASK) >>> 32);
  }

  /** Whether this table or a deeper one tracks {@code key}. */
  boolean tracks(Object key) {
    return find(key) >= 0 || trackedDeeper(key);
  }

  /**
   * Index of {@code key} in this table, or -1. A key placed by a source is also looked for where
   * its own hash would have put it (when missing): a request tracked just before its server
   * registered the source (an attach while requests are in flight) must still end.
   */
  int find(Object key) {
    if (key instanceof InFlightSlot) {
      return recorded((InFlightSlot) key, key);
    }
    Object placer = placer(key);
    int i = scan(key, window(placer));
    return i >= 0 || placer == key ? i : scan(key, window(key));
  }

  /** The slot {@code key} recorded when it was tracked, if it still holds it; else -1. */
  private int recorded(InFlightSlot slotted, Object key) {
    int i = slotted.rainbarrel$getSlot() - 1 - base; // another table's slot is out of range here
    return i >= 0 && i <= mask && KEY.getVolatile(keys, i) == key ? i : -1;
  }

  /** The window of the calling thread: consecutive thread ids spread over the table. */
  @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same number
  private int threadWindow() {
    return (int) ((Thread.currentThread().getId() * 0x9E3779B97F4A7C15L) >>> (64 - bits));
  }

  private int scan(Object key, int home) {
    // locals: after each volatile read below the JIT would load the fields again
    Object[] ks = keys;
    int m = mask;
    for (int n = 0, i = home; n < PROBES; n++, i = (i + 1) & m) {
      if (KEY.getVolatile(ks, i) == key) {
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
    if (r >= 0) {
      return true;
    }
    if (r != UNTRACKED && r != ELSEWHERE) {
      return false; // tracked here already
    }
    InFlight o = r == ELSEWHERE ? overflow : grow();
    if (o != null) {
      return o.begin(key, now, holdsCalling);
    }
    refuse();
    return false;
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
    // More than one round only when the key's current request ended on another thread between
    // the lookup and the queueing (one thread per key normally does both): start afresh a few
    // times, then leave the request uncounted rather than spin.
    attempts:
    for (int attempt = 0; attempt < 8; attempt++) {
      int r = claim(key, now, true);
      if (r >= 0) {
        return STARTED;
      }
      if (r == UNTRACKED || r == ELSEWHERE) {
        InFlight o = r == ELSEWHERE ? overflow : grow();
        if (o != null) {
          return o.beginAsync(key, now);
        }
        break;
      }
      int i = -r - 1; // busy here: queue behind its current request
      for (long w; queued(w = state(i)) < MAX_QUEUED; ) {
        if ((w & LIVE) == 0 || KEY.getVolatile(keys, i) != key) {
          continue attempts; // its request ended (or is passing to the next) meanwhile
        }
        if (casState(i, w, w + QUEUED_ONE + CALLING_ONE)) {
          return QUEUED;
        }
      }
      break; // the queue is full
    }
    refuse();
    return 0;
  }

  private static final int UNTRACKED = Integer.MIN_VALUE;

  /** {@link #claim} result: a deeper table tracks the key. */
  private static final int ELSEWHERE = Integer.MIN_VALUE + 1;

  /**
   * Tracks {@code key} in a free slot of its window.
   *
   * @return the slot index if this call claimed one, {@code -(index + 1)} if the key is tracked
   *     already at {@code index}, {@link #ELSEWHERE} if a deeper table tracks it, or {@link
   *     #UNTRACKED} if no slot was free
   */
  private int claim(Object key, long now, boolean holdsCalling) {
    if (key instanceof InFlightSlot) {
      return claimSlotted((InFlightSlot) key, key, now, holdsCalling);
    }
    // One pass both looks for the key (all PROBES slots: there are no tombstones) and notes the
    // first free slot, so a new request costs one scan of its window, not two.
    int home = home(key);
    int firstFree = -1;
    Object[] ks = keys;
    int m = mask;
    for (int n = 0, i = home; n < PROBES; n++, i = (i + 1) & m) {
      Object k = KEY.getVolatile(ks, i);
      if (k == key) {
        return -i - 1;
      }
      if (k == null && firstFree < 0) {
        firstFree = n;
      }
    }
    if (firstFree < 0) {
      return UNTRACKED;
    }
    if (trackedDeeper(key)) {
      return ELSEWHERE;
    }
    return take(key, (home + firstFree) & m, PROBES - firstFree, now, holdsCalling);
  }

  /**
   * Whether an overflow table tracks {@code key} (it went there while this table was full). Keys
   * of one request are begun by one thread at a time, so nothing can put it there meanwhile.
   */
  private boolean trackedDeeper(Object key) {
    InFlight o = overflow;
    return o != null && o.live.get() > 0 && o.tracks(key);
  }

  /** {@link #claim} for a key with a slot field: its recorded slot, else a free one recorded now. */
  private int claimSlotted(InFlightSlot slotted, Object key, long now, boolean holdsCalling) {
    int seen = recorded(slotted, key);
    if (seen >= 0) {
      return -seen - 1;
    }
    if (trackedDeeper(key)) {
      return ELSEWHERE;
    }
    int i = take(key, threadWindow(), PROBES, now, holdsCalling);
    if (i == UNTRACKED) { // this thread has PROBES requests in flight: anywhere else will do
      i = take(key, window(key), PROBES, now, holdsCalling);
    }
    if (i >= 0) {
      slotted.rainbarrel$setSlot(base + i + 1);
    }
    return i;
  }

  /** Takes the first free slot of {@code count} from {@code from} for {@code key}, or UNTRACKED. */
  private int take(Object key, int from, int count, long now, boolean holdsCalling) {
    Object[] ks = keys;
    int m = mask;
    for (int n = 0, i = from; n < count; n++, i = (i + 1) & m) {
      if (KEY.getVolatile(ks, i) == null && KEY.compareAndSet(ks, i, (Object) null, key)) {
        // The state word holds the generation alone (LIVE clear): nobody else writes it until
        // LIVE is set, so plain release stores do; the start is visible before LIVE.
        WORD.setRelease(words, (i << 1) + 1, now);
        WORD.setRelease(words, i << 1,
            (state(i) & GENERATION_MASK) | LIVE | (holdsCalling ? CALLING_ONE : 0));
        if (base != 0) {
          live.incrementAndGet();
        }
        return i;
      }
    }
    return UNTRACKED;
  }

  /** Marks {@code key} aborted (it will end as an error); false if it is not tracked. */
  boolean markAborted(Object key) {
    int i = find(key);
    if (i < 0) {
      InFlight o = overflow;
      return o != null && o.markAborted(key);
    }
    for (long w; ; ) {
      w = state(i);
      if ((w & LIVE) == 0 || KEY.getVolatile(keys, i) != key) {
        return false; // ended (or ending) since the lookup: too late, and the slot is not ours
      }
      if ((w & ABORTED) != 0 || casState(i, w, w | ABORTED)) {
        return true;
      }
    }
  }

  /** {@link #commit} result bit: this call committed the request ({@code writing} goes up). */
  static final int COMMITTED = 1;

  /** {@link #commit} result bit: the request held {@code calling} and this commit released it. */
  static final int RELEASED_CALLING = 2;

  /**
   * Marks {@code key} committed and, if it held {@code calling} (event-driven), releases that: one
   * lookup and one compare-and-set for both.
   *
   * @param code the status being sent, or a value outside 100..599 if unknown
   * @return 0 if it was not tracked or already committed, else {@link #COMMITTED}, with {@link
   *     #RELEASED_CALLING} when this call released its {@code calling}
   */
  int commit(Object key, int code) {
    int i = find(key);
    if (i < 0) {
      InFlight o = overflow;
      return o == null ? 0 : o.commit(key, code);
    }
    long status = code >= 100 && code <= 599 ? code : NO_STATUS;
    for (long w; ((w = state(i)) & STATUS_MASK) == NOT_COMMITTED; ) {
      if ((w & LIVE) == 0 || KEY.getVolatile(keys, i) != key) {
        return 0; // ended (or ending) since the lookup: the slot may be another request's now
      }
      boolean release = calling(w) > 0;
      if (casState(i, w, (w | status) - (release ? CALLING_ONE : 0))) {
        return release ? COMMITTED | RELEASED_CALLING : COMMITTED;
      }
    }
    return 0;
  }

  /*
   * An end() result, one long: bits 0-9 the status (0 not committed, 100..599, R_NO_STATUS),
   * bit 10 held calling, bit 11 aborted, bits 12-62 the duration in ns (at most 2^51 - 1 ns, about
   * 26 days; longer requests are clamped to that).
   */
  private static final long R_STATUS_MASK = 0x3FFL;
  private static final long R_NO_STATUS = 0x3FFL;
  private static final long R_CALLING = 1L << 10;
  private static final long R_ABORTED = 1L << 11;
  private static final int R_DURATION_SHIFT = 12;

  /**
   * Ends the current request of {@code key}; only one caller per tracked request gets a result.
   * If pipelined requests queue behind it, the next one becomes current (started {@code now},
   * i.e. when it reaches the front: its earlier wait is not measured); else the slot is freed.
   *
   * @return -1 if not tracked (or already ended), else a result to read with {@link #status},
   *     {@link #heldCalling}, {@link #wasAborted} and {@link #durationNanos} (one long, so the
   *     caller needs no per-thread buffer for the start time)
   */
  long end(Object key, long now) {
    int i = find(key);
    if (i < 0) {
      InFlight o = overflow;
      return o == null ? -1 : o.end(key, now);
    }
    // One compare-and-set clearing LIVE decides who ends the request. A retry only follows a
    // change of the same request (a commit, a mark); once its generation moved on, the request
    // this call was meant for is gone (ended by another thread, or passed to the next pipelined
    // one), and a late end must not end the slot's next request.
    long w = state(i);
    long generation = w & GENERATION_MASK;
    long start;
    boolean held;
    boolean promote;
    for (; ; w = state(i)) {
      if ((w & LIVE) == 0 || (w & GENERATION_MASK) != generation
          || KEY.getVolatile(keys, i) != key) {
        return -1; // another thread ended it, or is ending it
      }
      start = (long) WORD.getAcquire(words, (i << 1) + 1); // this tenant's: LIVE was set after it
      held = (w & STATUS_MASK) == NOT_COMMITTED && calling(w) > 0;
      promote = queued(w) > 0;
      long next = promote
          ? w & ~LIVE // hold the slot (LIVE clear, key kept) while its next request gets a start
          : (w & GENERATION_MASK) + GENERATION_ONE; // free: LIVE clear, a new generation
      if (casState(i, w, next)) {
        break;
      }
    }
    // This thread owns the slot now. A request that was committed released its calling at the
    // commit; one that was not releases it here (queued requests keep theirs).
    if (promote) {
      WORD.setRelease(words, (i << 1) + 1, now);
      // the next pipelined request is current: a new generation, LIVE again
      WORD.setRelease(words, i << 1,
          (w & (CALLING_MASK | QUEUED_MASK | GENERATION_MASK)) + GENERATION_ONE
              - (held ? CALLING_ONE : 0) - QUEUED_ONE + LIVE);
    } else {
      KEY.setRelease(keys, i, (Object) null);
      if (base != 0) {
        live.decrementAndGet();
      }
    }
    long duration = Math.max(0, now - start);
    long status = w & STATUS_MASK;
    return (status == NO_STATUS ? R_NO_STATUS : status)
        | (held ? R_CALLING : 0)
        | ((w & ABORTED) != 0 ? R_ABORTED : 0)
        | (Math.min(duration, Long.MAX_VALUE >>> R_DURATION_SHIFT) << R_DURATION_SHIFT);
  }

  /**
   * The status of an {@link #end} result: {@link #NOT_COMMITTED}, {@link #COMMITTED_NO_STATUS} or
   * the status committed (100..599).
   */
  static int status(long ended) {
    int s = (int) (ended & R_STATUS_MASK);
    return s == R_NO_STATUS ? COMMITTED_NO_STATUS : s;
  }

  /** Whether the request of an {@link #end} result still held {@code calling} when it ended. */
  static boolean heldCalling(long ended) {
    return (ended & R_CALLING) != 0;
  }

  /** Whether the request of an {@link #end} result was {@link #markAborted marked aborted}. */
  static boolean wasAborted(long ended) {
    return (ended & R_ABORTED) != 0;
  }

  /**
   * Time from the start of tracking to the end, of an {@link #end} result: never negative, at most
   * 2^51 - 1 ns (about 26 days).
   */
  static long durationNanos(long ended) {
    return ended >>> R_DURATION_SHIFT;
  }

  /** Whether the first untracked request of the process was told on stderr. */
  private static volatile boolean toldUntracked;

  /** Counts a request no table could take; the first one in the process is told, once. */
  private void refuse() {
    untracked.incrementAndGet();
    if (!toldUntracked) {
      toldUntracked = true;
      try {
        System.err.println("rainbarrel: more requests are in flight at once than the agent can track;"
            + " the excess is not counted (JMX: rainbarrel:type=Agent UntrackedRequests)");
      } catch (Throwable ignored) {
        // stderr closed: the JMX attribute still counts them
      }
    }
  }

  /** Requests that found no free slot in any table and were not counted. */
  long untracked() {
    InFlight o = overflow;
    return untracked.get() + (o == null ? 0 : o.untracked());
  }
}
