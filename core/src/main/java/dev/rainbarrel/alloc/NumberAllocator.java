package dev.rainbarrel.alloc;

import dev.rainbarrel.shm.ProcessIdentity;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongPredicate;

/**
 * A lock-free allocator of small integers {@code 0 .. capacity-1} that lives entirely inside a
 * (usually shared, memory-mapped) {@link ByteBuffer}, so unrelated processes mapping the same file
 * allocate from one pool. numballoc's idea, with its holes closed.
 *
 * <h2>Region layout</h2>
 *
 * <pre>
 * offset                 size            field
 * +0                     4               magic 'NUMB' (0x424D554E little-endian)
 * +4                     4               capacity (numbers)
 * +8                     8               scan hint: index of the bitmap word to try first
 * +16                    8 * W           bitmap, W = ceil(capacity / 64) words; bit set = in use
 * +16 + 8W               8 * capacity    owner words; 0 = free, else the owner's stamp
 * </pre>
 *
 * All fields are little-endian 64-bit words updated with {@link VarHandle} atomics, so they are
 * coherent between processes. Bits of the last bitmap word at or beyond {@code capacity} are set
 * at format time and never cleared, so they are never handed out.
 *
 * <h2>Protocol</h2>
 *
 * The <b>owner word is authoritative</b>: a number is allocated exactly when one CAS moves its
 * owner word from 0 to the caller's stamp (pid + process start, see {@link ProcessIdentity}), so
 * ownership is claimed in the same CAS as the allocation and a crash can never leave a number
 * allocated without an owner. The bitmap is a summary that makes the free scan fast (64 numbers
 * per word, {@link Long#numberOfTrailingZeros}); it may briefly disagree with the owner words and
 * heals itself: a scanner that finds a clear bit over a taken owner word sets the bit, and {@link
 * #reclaim} clears set bits over free owner words.
 *
 * <p>{@link #free} succeeds only for the owner (CAS owner to 0) and throws {@link
 * IllegalStateException} naming the number on a double free or a free of someone else's number;
 * a number out of range throws {@link IndexOutOfBoundsException}. {@link #reclaim} frees every
 * number whose owning process is gone. Stamps with the top bit set ({@link #FILE_OWNER}) are not
 * processes and are never reclaimed.
 */
public final class NumberAllocator {

  /** Returned by {@link #allocate} when every number is taken. */
  public static final int NO_FREE_NUMBER = -1;

  /**
   * Owner stamp for numbers that belong to the file rather than to a process (e.g. a Barrel's
   * counters): never reclaimed.
   */
  public static final long FILE_OWNER = 0x8000_0000_0000_0001L;

  static final int MAGIC = 0x424D554E; // "NUMB"
  static final int MAGIC_OFFSET = 0;
  static final int CAPACITY_OFFSET = 4;
  static final int HINT_OFFSET = 8;
  static final int BITMAP_OFFSET = 16;

  private static final VarHandle LONG =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final ByteBuffer buf;
  private final int base;
  private final int capacity;
  private final int words;
  private final int ownersOffset;

  private NumberAllocator(ByteBuffer buf, int base, int capacity) {
    this.buf = buf;
    this.base = base;
    this.capacity = capacity;
    this.words = (capacity + 63) >>> 6;
    this.ownersOffset = base + BITMAP_OFFSET + 8 * words;
  }

  /** Bytes needed for a region of {@code capacity} numbers (a multiple of 8). */
  public static int regionLength(int capacity) {
    checkCapacity(capacity);
    int words = (capacity + 63) >>> 6;
    return BITMAP_OFFSET + 8 * words + 8 * capacity;
  }

  /**
   * Initialises a region at {@code offset} (8-aligned, zero-filled) and returns its allocator.
   * Only one process may format a region, before any other uses it (callers hold a file lock).
   */
  public static NumberAllocator format(ByteBuffer buf, int offset, int capacity) {
    checkCapacity(capacity);
    checkBounds(buf, offset, regionLength(capacity));
    NumberAllocator a = new NumberAllocator(buf, offset, capacity);
    int tail = capacity & 63;
    if (tail != 0) {
      LONG.setVolatile(buf, a.wordOffset(a.words - 1), -1L << tail);
    }
    INT.setVolatile(buf, offset + CAPACITY_OFFSET, capacity);
    INT.setRelease(buf, offset + MAGIC_OFFSET, MAGIC);
    return a;
  }

  /** Attaches to a formatted region, validating its header against the buffer's bounds. */
  public static NumberAllocator wrap(ByteBuffer buf, int offset) {
    checkBounds(buf, offset, BITMAP_OFFSET);
    int magic = (int) INT.getAcquire(buf, offset + MAGIC_OFFSET);
    if (magic != MAGIC) {
      throw new IllegalArgumentException(
          "no number allocator at offset " + offset + " (magic 0x" + Integer.toHexString(magic) + ")");
    }
    int capacity = (int) INT.getVolatile(buf, offset + CAPACITY_OFFSET);
    if (capacity <= 0) {
      throw new IllegalArgumentException("number allocator at offset " + offset + " has capacity " + capacity);
    }
    checkBounds(buf, offset, regionLength(capacity));
    return new NumberAllocator(buf, offset, capacity);
  }

  /** How many numbers the region holds. */
  public int capacity() {
    return capacity;
  }

  /** Allocates a number owned by the calling process, or {@link #NO_FREE_NUMBER}. */
  public int allocate() {
    return allocate(ProcessIdentity.currentStamp());
  }

  /**
   * Allocates a number owned by {@code ownerStamp} (non-zero), or returns {@link #NO_FREE_NUMBER}
   * when every number is taken. Lock-free: each failed CAS means another allocator progressed.
   */
  public int allocate(long ownerStamp) {
    if (ownerStamp == 0) {
      throw new IllegalArgumentException("owner stamp must be non-zero");
    }
    int n = claim(ownerStamp);
    if (n == NO_FREE_NUMBER && clearStaleBits() > 0) {
      n = claim(ownerStamp);
    }
    return n;
  }

  private int claim(long ownerStamp) {
    int start = (int) Long.remainderUnsigned((long) LONG.getOpaque(buf, base + HINT_OFFSET), words);
    for (int i = 0; i < words; i++) {
      int w = start + i < words ? start + i : start + i - words;
      int wordOffset = wordOffset(w);
      long bits = (long) LONG.getVolatile(buf, wordOffset);
      while (bits != -1L) {
        int bit = Long.numberOfTrailingZeros(~bits);
        int n = (w << 6) + bit;
        if (LONG.compareAndSet(buf, ownerOffset(n), 0L, ownerStamp)) {
          setBit(wordOffset, 1L << bit);
          if (w != start) {
            LONG.setOpaque(buf, base + HINT_OFFSET, (long) w);
          }
          return n;
        }
        // Taken but not yet summarised (or a crash between the two steps): heal and move on.
        bits = setBit(wordOffset, 1L << bit);
        if ((long) LONG.getVolatile(buf, ownerOffset(n)) == 0L) {
          // Freed between our failed CAS and the heal: its free may already have cleared the bit,
          // so our set would hide a free number for good. Undo it and try this number again.
          clearBit(wordOffset, 1L << bit);
          bits = (long) LONG.getVolatile(buf, wordOffset);
        }
      }
    }
    return NO_FREE_NUMBER;
  }

  /**
   * The heal above can land just after the owner freed the number and cleared its bit: the bit
   * then says taken while the owner word is 0, and the number would be lost (two threads
   * allocating and freeing on one word lost all 4096 numbers of a file within seconds). Clearing
   * such a bit is always safe (a clear bit over an owned number only costs a failed CAS and a
   * heal), so the exhausted path sweeps them before it reports no free number. Returns how many.
   */
  private int clearStaleBits() {
    int cleared = 0;
    for (int w = 0; w < words; w++) {
      int wordOffset = wordOffset(w);
      long bits = (long) LONG.getVolatile(buf, wordOffset);
      while (bits != 0) {
        int bit = Long.numberOfTrailingZeros(bits);
        bits &= bits - 1;
        int n = (w << 6) + bit;
        if (n < capacity && (long) LONG.getVolatile(buf, ownerOffset(n)) == 0L) {
          clearBit(wordOffset, 1L << bit);
          cleared++;
        }
      }
    }
    return cleared;
  }

  /** Frees a number owned by the calling process. */
  public void free(int n) {
    free(n, ProcessIdentity.currentStamp());
  }

  /**
   * Frees {@code n} if {@code ownerStamp} owns it.
   *
   * @throws IndexOutOfBoundsException if {@code n} is not in {@code [0, capacity)}
   * @throws IllegalStateException on a double free or when someone else owns {@code n}
   */
  public void free(int n, long ownerStamp) {
    checkNumber(n);
    if (!LONG.compareAndSet(buf, ownerOffset(n), ownerStamp, 0L)) {
      long current = (long) LONG.getVolatile(buf, ownerOffset(n));
      if (current == 0) {
        throw new IllegalStateException("number " + n + " is not allocated (double free?)");
      }
      throw new IllegalStateException(
          "number " + n + " is owned by " + describe(current) + ", not by " + describe(ownerStamp));
    }
    clearBit(wordOffset(n >>> 6), 1L << (n & 63));
  }

  /**
   * Hands {@code n} from owner {@code from} to owner {@code to} (non-zero) in one CAS, e.g. to park
   * a freed number under a quarantine stamp (see {@link QuarantinedNumbers}).
   *
   * @throws IndexOutOfBoundsException if {@code n} is out of range
   * @throws IllegalStateException if {@code from} does not own {@code n}
   */
  public void transfer(int n, long from, long to) {
    checkNumber(n);
    if (to == 0) {
      throw new IllegalArgumentException("owner stamp must be non-zero");
    }
    if (!LONG.compareAndSet(buf, ownerOffset(n), from, to)) {
      long current = (long) LONG.getVolatile(buf, ownerOffset(n));
      throw new IllegalStateException(current == 0 ? "number " + n + " is not allocated"
          : "number " + n + " is owned by " + describe(current) + ", not by " + describe(from));
    }
  }

  /** The owner stamp of {@code n}, or 0 when it is free. */
  public long owner(int n) {
    checkNumber(n);
    return (long) LONG.getVolatile(buf, ownerOffset(n));
  }

  /** True when {@code n} is allocated. */
  public boolean isAllocated(int n) {
    return owner(n) != 0;
  }

  /** Numbers currently allocated (a moment's count; exact when nothing moves). */
  public int used() {
    int used = 0;
    for (int n = 0; n < capacity; n++) {
      if ((long) LONG.getVolatile(buf, ownerOffset(n)) != 0) {
        used++;
      }
    }
    return used;
  }

  /**
   * Frees every number whose owner is a process for which {@code isDead} answers true (stamps
   * with the top bit set are skipped), and repairs bitmap bits left set over free numbers by a
   * process that died inside {@link #free}. Returns how many numbers were freed.
   *
   * @param beforeFree called with each number just before it is freed (e.g. to zero its data)
   */
  public int reclaim(LongPredicate isDead, java.util.function.IntConsumer beforeFree) {
    int freed = 0;
    for (int n = 0; n < capacity; n++) {
      long owner = (long) LONG.getVolatile(buf, ownerOffset(n));
      if (owner > 0 && isDead.test(owner)) {
        beforeFree.accept(n);
        if (LONG.compareAndSet(buf, ownerOffset(n), owner, 0L)) {
          clearBit(wordOffset(n >>> 6), 1L << (n & 63));
          freed++;
        }
      } else if (owner == 0) {
        long bits = (long) LONG.getVolatile(buf, wordOffset(n >>> 6));
        if ((bits & (1L << (n & 63))) != 0 && (long) LONG.getVolatile(buf, ownerOffset(n)) == 0) {
          clearBit(wordOffset(n >>> 6), 1L << (n & 63));
        }
      }
    }
    return freed;
  }

  /** Frees numbers of dead processes, judged by {@link ProcessIdentity#isAlive}. */
  public int reclaimDeadOwners() {
    return reclaim(stamp -> !ProcessIdentity.isAlive(stamp), n -> {});
  }

  private long setBit(int wordOffset, long mask) {
    long bits;
    do {
      bits = (long) LONG.getVolatile(buf, wordOffset);
      if ((bits & mask) != 0) {
        return bits;
      }
    } while (!LONG.compareAndSet(buf, wordOffset, bits, bits | mask));
    return bits | mask;
  }

  private void clearBit(int wordOffset, long mask) {
    long bits;
    do {
      bits = (long) LONG.getVolatile(buf, wordOffset);
      if ((bits & mask) == 0) {
        return;
      }
    } while (!LONG.compareAndSet(buf, wordOffset, bits, bits & ~mask));
  }

  private int wordOffset(int w) {
    return base + BITMAP_OFFSET + 8 * w;
  }

  private int ownerOffset(int n) {
    return ownersOffset + 8 * n;
  }

  private void checkNumber(int n) {
    if (n < 0 || n >= capacity) {
      throw new IndexOutOfBoundsException("number " + n + " out of range [0, " + capacity + ")");
    }
  }

  private static void checkCapacity(int capacity) {
    if (capacity <= 0 || capacity > (1 << 24)) {
      throw new IllegalArgumentException("capacity must be in [1, 16777216]: " + capacity);
    }
  }

  private static void checkBounds(ByteBuffer buf, int offset, int length) {
    if ((offset & 7) != 0) {
      throw new IllegalArgumentException("offset " + offset + " is not 8-byte aligned");
    }
    if (offset < 0 || (long) offset + length > buf.capacity()) {
      throw new IllegalArgumentException(
          "region [" + offset + ", " + ((long) offset + length) + ") exceeds buffer of " + buf.capacity() + " bytes");
    }
  }

  /** Human-readable form of an owner stamp for messages. */
  public static String describe(long stamp) {
    if (stamp == FILE_OWNER) {
      return "the file";
    }
    if (stamp < 0) {
      return "special owner 0x" + Long.toHexString(stamp);
    }
    return "pid " + ProcessIdentity.pid(stamp) + " (start " + (stamp & 0xFFFF_FFFFL) + ")";
  }
}
