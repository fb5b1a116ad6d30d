package dev.rainbarrel.shm;

/**
 * One allocated slot of a Barrel exactly as the file records it.
 *
 * @param number the slot's number in the file (extent * slots per extent + slot)
 * @param kind counter or gauge
 * @param name the name
 * @param label the label, or empty
 * @param owner the owner stamp: {@code NumberAllocator.FILE_OWNER} for counters, a process's stamp for gauges
 * @param registration the registration id, unique within the file
 * @param value the slot's value (unsigned 64-bit)
 * @param cell true when the record is a cell: one per-thread part of the counter or gauge, whose
 *     value readers add to the base record's ({@link ThreadCells})
 */
public record BarrelSlot(
    int number, BarrelEntry.Kind kind, String name, String label, long owner, long registration, long value,
    boolean cell) {}
