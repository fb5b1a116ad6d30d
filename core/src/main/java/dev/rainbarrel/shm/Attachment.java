package dev.rainbarrel.shm;

/**
 * A process registered in a Barrel's attach table.
 *
 * @param pid its pid
 * @param stamp its owner stamp (pid and start time)
 * @param attachedAtMillis when it attached, epoch milliseconds
 * @param description its main class or command, truncated to 48 bytes
 * @param alive whether that exact process (pid and start time) is still running
 */
public record Attachment(long pid, long stamp, long attachedAtMillis, String description, boolean alive) {}
