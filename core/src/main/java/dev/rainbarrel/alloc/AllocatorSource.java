package dev.rainbarrel.alloc;

import dev.rainbarrel.shm.Barrel;
import java.util.function.Supplier;

/**
 * Something whose allocator statistics become a {@code rainbarrel:type=Allocator,name=<name>}
 * MXBean (and a {@code rainbarrel.Allocator} JFR event). Implement it for any allocator (arena,
 * buffer pool) and pass it to the JMX and JFR registrations.
 */
public interface AllocatorSource {

  /** Name in the ObjectName ({@code barrel_slots}, ...). */
  String name();

  /** What the allocator allocates, for the MBean's description attribute. */
  String description();

  /** The figures now. */
  AllocatorStats.Snapshot stats();

  /** An allocator source from a name, description and supplier. */
  static AllocatorSource of(String name, String description, Supplier<AllocatorStats.Snapshot> stats) {
    return new AllocatorSource() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public AllocatorStats.Snapshot stats() {
        return stats.get();
      }
    };
  }

  /** Name of the Barrel's slot allocator. */
  String BARREL_SLOTS = "barrel_slots";

  /**
   * The Barrel's counter-slot allocators (one lock-free bitmap per extent), as one: capacity and
   * used over every mapped extent, allocations = records ever registered in the file by any
   * process, failures = this handle's failed registrations.
   */
  static AllocatorSource barrelSlots(Barrel barrel) {
    return of(BARREL_SLOTS,
        "64-byte counter/gauge slots of " + barrel.path() + " (lock-free bitmap per extent)",
        () -> {
          long capacity = barrel.slotCapacity();
          long used = barrel.slotsUsed();
          long live = barrel.attachments().stream().filter(a -> a.alive()).count();
          return new AllocatorStats.Snapshot("barrel_slots", "slots", capacity, used, capacity - used,
              barrel.registrations(), 0, barrel.registrationFailures(), 0, live, 0, Barrel.SLOT_BYTES);
        });
  }

  /** A source over any allocator that reports its own statistics (arena, buffer pool, number file). */
  static AllocatorSource ofAllocator(String name, String description, AllocatorStats allocator) {
    return of(name, description, allocator::statsSnapshot);
  }
}
