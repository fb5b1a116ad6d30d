package dev.rainbarrel.shm;

import java.nio.ByteBuffer;

/**
 * A named region of a Barrel for structures larger than one slot (histograms). The payload is
 * {@code length} bytes at {@code offset} of {@code buffer}, 64-byte aligned; its layout belongs to
 * the block's {@code type}. Use the buffer with absolute, atomic accesses only.
 *
 * @param name the block's name
 * @param type the structure's type tag
 * @param buffer the mapping that holds the block
 * @param offset where the payload starts in {@code buffer}
 * @param length payload length in bytes
 */
public record Block(String name, int type, ByteBuffer buffer, int offset, int length) {}
