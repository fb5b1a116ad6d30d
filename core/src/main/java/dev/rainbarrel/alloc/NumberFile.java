package dev.rainbarrel.alloc;

import dev.rainbarrel.shm.ProcessIdentity;
import dev.rainbarrel.shm.SecureFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link NumberAllocator} on its own in a file, shared by every process that opens it
 * (numballoc's {@code LoadShared} + {@code ConcurrentBitmap}, without its crashes): the file is
 * created (mode 0600) and formatted under an exclusive file lock, and an existing file is
 * validated before it is mapped, so a wrong size is an {@link IOException} naming the file, never
 * a SIGSEGV. The file holds exactly the allocator's region (its layout is documented there).
 *
 * <p>Counts allocations, frees, failures and reclaims made through this handle (in-process) for
 * {@link #statsSnapshot()}; capacity, used and live owners are read from the shared region.
 * Each handle joins the process's {@link AllocatorRegistry} as {@code numbers:<file name>}.
 */
public final class NumberFile implements AutoCloseable, AllocatorStats {

  private final Path file;
  private final FileChannel channel;
  private final NumberAllocator numbers;
  private final LongAdder allocations = new LongAdder();
  private final LongAdder frees = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final AtomicLong reclaimed = new AtomicLong();
  private final AllocatorRegistry.Registration registration;

  private NumberFile(Path file, FileChannel channel, NumberAllocator numbers) {
    this.file = file;
    this.channel = channel;
    this.numbers = numbers;
    this.registration = AllocatorRegistry.register("numbers:" + file.getFileName(),
        "number allocator file " + file + " (" + numbers.capacity() + " numbers)", this);
  }

  /** The unique name of this handle in the process's {@link AllocatorRegistry}. */
  public String allocatorName() {
    return registration.name();
  }

  /**
   * Opens {@code file}, creating it for {@code capacity} numbers when it is missing or empty; an
   * existing file keeps the capacity it was made with.
   *
   * @throws IOException if the file is not a number allocator, is truncated, or cannot be locked
   *     within 10 s
   */
  public static NumberFile open(Path file, int capacity) throws IOException {
    int length = NumberAllocator.regionLength(capacity);
    SecureFiles.Opened opened = SecureFiles.openPrivateFile(file);
    FileChannel ch = opened.channel;
    try {
      NumberAllocator a;
      try (FileLock lock = lock(ch, file)) {
        long size = ch.size();
        if (size == 0) {
          ch.write(ByteBuffer.wrap(new byte[] {0}), length - 1L);
          a = NumberAllocator.format(map(ch, length), 0, capacity);
        } else {
          a = NumberAllocator.wrap(map(ch, validate(file, ch, size)), 0);
        }
      }
      return new NumberFile(file, ch, a);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static MappedByteBuffer map(FileChannel ch, long length) throws IOException {
    MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, length);
    m.order(ByteOrder.LITTLE_ENDIAN);
    return m;
  }

  /** Checks the header with plain reads; returns the region length to map. */
  private static long validate(Path file, FileChannel ch, long size) throws IOException {
    if (size < NumberAllocator.BITMAP_OFFSET) {
      throw new IOException(file + ": truncated: " + size + " bytes, shorter than the number allocator header");
    }
    ByteBuffer h = ByteBuffer.allocate(NumberAllocator.BITMAP_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
    while (h.hasRemaining()) {
      if (ch.read(h, h.position()) < 0) {
        throw new IOException(file + ": truncated while reading the header");
      }
    }
    int magic = h.getInt(NumberAllocator.MAGIC_OFFSET);
    if (magic == 0 && h.getLong(0) == 0 && h.getLong(8) == 0) {
      throw new IOException(file + ": header is zero-filled: not an initialised number allocator");
    }
    if (magic != NumberAllocator.MAGIC) {
      throw new IOException(file + ": wrong magic 0x" + Integer.toHexString(magic) + ": not a number allocator file");
    }
    int capacity = h.getInt(NumberAllocator.CAPACITY_OFFSET);
    if (capacity <= 0 || capacity > (1 << 24)) {
      throw new IOException(file + ": invalid capacity " + capacity);
    }
    long need = NumberAllocator.regionLength(capacity);
    if (size < need) {
      throw new IOException(file + ": truncated: " + size + " bytes, but " + capacity + " numbers need " + need);
    }
    return need;
  }

  private static FileLock lock(FileChannel ch, Path file) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        FileLock l = ch.tryLock();
        if (l != null) {
          return l;
        }
      } catch (OverlappingFileLockException sameJvm) {
        // another thread of this JVM is opening it
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(file + ": could not lock the file within 10 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /** The allocator itself, for owner-explicit calls and {@link QuarantinedNumbers}. */
  public NumberAllocator allocator() {
    return numbers;
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** The largest number that can be allocated ({@code capacity - 1}). */
  public int max() {
    return numbers.capacity() - 1;
  }

  /**
   * Allocates a number owned by this process, or returns {@link NumberAllocator#NO_FREE_NUMBER}
   * (-1) when all are taken.
   */
  public int allocate() {
    int n = numbers.allocate();
    (n == NumberAllocator.NO_FREE_NUMBER ? failures : allocations).increment();
    return n;
  }

  /**
   * Frees a number this process owns.
   *
   * @throws IllegalStateException on a double free or a number owned by someone else (named)
   * @throws IndexOutOfBoundsException if {@code n} is not in {@code [0, max()]}
   */
  public void free(int n) {
    numbers.free(n);
    frees.increment();
  }

  /** Frees the numbers of dead processes; returns how many. */
  public int reclaimDeadOwners() {
    int r = numbers.reclaimDeadOwners();
    reclaimed.addAndGet(r);
    return r;
  }

  @Override
  public Snapshot statsSnapshot() {
    int cap = numbers.capacity();
    int used = 0;
    Set<Long> owners = new HashSet<>();
    for (int n = 0; n < cap; n++) {
      long o = numbers.owner(n);
      if (o != 0) {
        used++;
        if (o > 0) {
          owners.add(o);
        }
      }
    }
    long live = owners.stream().filter(ProcessIdentity::isAlive).count();
    return new Snapshot("numbers", "numbers", cap, used, cap - used, allocations.sum(), frees.sum(),
        failures.sum(), 0, live, reclaimed.get());
  }

  /**
   * Leaves the allocator registry and closes the file; unmaps nothing explicitly (the JVM does
   * when the mapping is collected).
   */
  @Override
  public void close() throws IOException {
    registration.close();
    channel.close();
  }
}
