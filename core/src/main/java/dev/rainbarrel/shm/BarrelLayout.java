package dev.rainbarrel.shm;

/**
 * Byte layout of a Barrel file, version 2 (version 1 files are read as version 2 files without cells). All integers are little-endian; every offset is from
 * the start of the file or of the structure named; no pointers are stored, only offsets. The full
 * description, with the Python reader's view, is {@code docs/FILE-FORMAT.md}.
 *
 * <h2>File</h2>
 *
 * <pre>
 * +---------------------------+ 0
 * | header page (4096 B)      |
 * +---------------------------+ 4096
 * | extent 0 (counters)       |   extents are appended as the file grows; each is page-aligned
 * +---------------------------+
 * | extent 1 (counters/block) |
 * +---------------------------+ ...
 * </pre>
 *
 * <h2>Header page</h2>
 *
 * <pre>
 * off   size  field
 * 0     8     magic "RNBARREL" (ASCII)
 * 8     4     format version (2; 1 is accepted, and raised to 2 before the first cell is leased)
 * 12    4     header length (4096)
 * 16    4     slot size: stride of counter values (64)
 * 20    4     metadata record length (256)
 * 24    4     slots per counter extent (256)
 * 28    4     maximum extents (128)
 * 32    4     extent count: extents initialised; written with release after the extent
 * 36    4     ready: 0 while initialising, 1 when the file may be used; written last, with release
 * 40    8     creator owner stamp (pid &lt;&lt; 32 | start time)
 * 48    8     created, epoch milliseconds
 * 56    8     next registration id (incremented under the file lock)
 * 64    4     attach table offset (256)
 * 68    4     attach table entries (28)
 * 72    4     attach entry length (64)
 * 76    4     extent table offset (2048)
 * 80    4     extent table entry length (16)
 * 84    172   reserved, zero
 * 256   1792  attach table: 28 entries of 64 B
 * 2048  2048  extent table: 128 entries of 16 B
 * </pre>
 *
 * <h3>Attach table entry (64 B)</h3>
 *
 * <pre>
 * 0     8     owner stamp of an attached process; 0 = free (claimed by CAS)
 * 8     8     attached at, epoch milliseconds
 * 16    48    description (UTF-8, NUL-padded): the process's main class or command
 * </pre>
 *
 * <h3>Extent table entry (16 B)</h3>
 *
 * <pre>
 * 0     8     offset of the extent in the file
 * 8     4     length of the extent in bytes
 * 12    4     type: 1 = counters, 2 = block
 * </pre>
 *
 * <h2>Counter extent</h2>
 *
 * <pre>
 * 0         64        extent header: magic "EXTC" (u32), type (u32), index (u32), slots (u32),
 *                     allocator offset (u32), metadata offset (u32), values offset (u32), zero
 * 64        A         number allocator region for the extent's slots (see NumberAllocator)
 * M         256 * S   metadata records, one per slot (M = 64 + A rounded up to 64)
 * V         64 * S    values: one 64-bit value at the start of each 64-byte slot (V page-aligned)
 * </pre>
 *
 * <h3>Metadata record (256 B)</h3>
 *
 * <pre>
 * 0     4     state: 0 = unused, 1 = allocated (written last with release), 2 = being written
 * 4     4     kind: 1 = counter (belongs to the file), 2 = gauge (one slot per process), 3 = block
 * 8     8     owner stamp: NumberAllocator.FILE_OWNER for counters, the process's stamp for gauges
 * 16    8     registration id (unique per file; tells a reused slot from the old one)
 * 24    8     registered at, epoch milliseconds
 * 32    2     name length in bytes
 * 34    2     label length in bytes
 * 36    4     block type (blocks only)
 * 40    4     flags: bit 0 = CELL, one of several records of the same kind, name and label whose
 *             values add up to the figure (version 2)
 * 44    4     reserved, zero
 * 48    8     lessee: owner stamp of the process whose thread writes this cell; 0 = none
 * 56    8     lessee's pid namespace (inode of /proc/self/ns/pid; 0 = none or unknown)
 * 64    64    name (UTF-8)
 * 128   128   label (UTF-8), e.g. a listener address; empty for plain counters
 * </pre>
 *
 * <h2>Block extent</h2>
 *
 * A named, file-owned byte region (histograms live in blocks):
 *
 * <pre>
 * 0     64    extent header: magic "EXTB" (u32), type (u32), index (u32), 0, 0, metadata offset (64),
 *             payload offset (u32), payload length (u32)
 * 64    256   one metadata record, kind 3 (block) with the block's type in the reserved field at 36
 * 512   P     payload, P bytes, 64-aligned; its layout belongs to the block's type:
 *             1 = histogram (one LogLinearHistogram region), 2 = histogram rows (per-thread
 *             rows of the histogram of the same name; layout in {@link ThreadCells})
 * </pre>
 */
final class BarrelLayout {
  private BarrelLayout() {}

  static final long MAGIC = 0x4C45525241424E52L; // "RNBARREL" little-endian
  static final int VERSION = 2;
  /** Oldest format version this library reads (a version 1 file is a version 2 file without cells). */
  static final int MIN_VERSION = 1;
  static final int HEADER_LENGTH = 4096;
  static final int SLOT_SIZE = 64;
  static final int META_LENGTH = 256;
  static final int SLOTS_PER_EXTENT = 256;
  static final int MAX_EXTENTS = 128;
  static final int PAGE = 4096;

  // header fields
  static final int H_MAGIC = 0;
  static final int H_VERSION = 8;
  static final int H_HEADER_LENGTH = 12;
  static final int H_SLOT_SIZE = 16;
  static final int H_META_LENGTH = 20;
  static final int H_SLOTS_PER_EXTENT = 24;
  static final int H_MAX_EXTENTS = 28;
  static final int H_EXTENT_COUNT = 32;
  static final int H_READY = 36;
  static final int H_CREATOR = 40;
  static final int H_CREATED = 48;
  static final int H_NEXT_REGISTRATION = 56;
  static final int H_ATTACH_OFFSET = 64;
  static final int H_ATTACH_ENTRIES = 68;
  static final int H_ATTACH_ENTRY_LENGTH = 72;
  static final int H_EXTENT_TABLE_OFFSET = 76;
  static final int H_EXTENT_ENTRY_LENGTH = 80;

  static final int ATTACH_OFFSET = 256;
  static final int ATTACH_ENTRY_LENGTH = 64;
  static final int ATTACH_ENTRIES = (2048 - ATTACH_OFFSET) / ATTACH_ENTRY_LENGTH;
  static final int ATTACH_DESCRIPTION = 16;
  static final int ATTACH_DESCRIPTION_LENGTH = ATTACH_ENTRY_LENGTH - ATTACH_DESCRIPTION;

  static final int EXTENT_TABLE_OFFSET = 2048;
  static final int EXTENT_ENTRY_LENGTH = 16;

  static final int TYPE_COUNTERS = 1;
  static final int TYPE_BLOCK = 2;

  // extent header
  static final int E_MAGIC = 0;
  static final int E_TYPE = 4;
  static final int E_INDEX = 8;
  static final int E_SLOTS = 12;
  static final int E_ALLOCATOR = 16;
  static final int E_META = 20;
  static final int E_VALUES = 24;
  static final int E_PAYLOAD_LENGTH = 28;
  static final int EXTENT_HEADER_LENGTH = 64;
  static final int EXTC = 0x43545845; // "EXTC"
  static final int EXTB = 0x42545845; // "EXTB"

  // metadata record
  static final int M_STATE = 0;
  static final int M_KIND = 4;
  static final int M_OWNER = 8;
  static final int M_REGISTRATION = 16;
  static final int M_REGISTERED_AT = 24;
  static final int M_NAME_LENGTH = 32;
  static final int M_LABEL_LENGTH = 34;
  static final int M_BLOCK_TYPE = 36;
  static final int M_FLAGS = 40;
  static final int M_LESSEE = 48;
  /** Flag of a cell record: one per-thread part of a counter or gauge (see {@link ThreadCells}). */
  static final int FLAG_CELL = 1;
  static final int M_NAME = 64;
  static final int M_LABEL = 128;
  static final int NAME_MAX = 64;
  static final int LABEL_MAX = 128;

  static final int STATE_UNUSED = 0;
  static final int STATE_ALLOCATED = 1;
  static final int STATE_WRITING = 2;

  static final int KIND_COUNTER = 1;
  static final int KIND_GAUGE = 2;
  static final int KIND_BLOCK = 3;

  static final int BLOCK_META = 64;
  static final int BLOCK_PAYLOAD = 512;

  static int align(int value, int to) {
    return (value + to - 1) & -to;
  }

  /** Offsets inside a counter extent, derived from the slot count. */
  static final int ALLOCATOR_OFFSET = EXTENT_HEADER_LENGTH;
  static final int META_OFFSET =
      align(ALLOCATOR_OFFSET + dev.rainbarrel.alloc.NumberAllocator.regionLength(SLOTS_PER_EXTENT), 64);
  static final int VALUES_OFFSET = align(META_OFFSET + META_LENGTH * SLOTS_PER_EXTENT, PAGE);
  static final int COUNTER_EXTENT_LENGTH = align(VALUES_OFFSET + SLOT_SIZE * SLOTS_PER_EXTENT, PAGE);

  static int blockExtentLength(int payloadLength) {
    return align(BLOCK_PAYLOAD + payloadLength, PAGE);
  }
}
