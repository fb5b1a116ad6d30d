package dev.rainbarrel.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Grows a Barrel that is about to map a new extent by writing zeros over the new range, instead of
 * one byte at its end. A file grown by one byte is sparse: on tmpfs ({@code /dev/shm}) its pages
 * are allocated only when a mapping first writes them, and if the file system is full by then the
 * writing thread gets SIGBUS (an {@code InternalError} in Java) long after the open succeeded.
 * Writing the zeros makes a full file system fail the open or the growth itself, with an {@code
 * IOException} ("No space left on device") that names the file. Only for ranges past the end of
 * the file, under the Barrel's file lock: zeros over a range another process already uses would
 * erase its values.
 */
final class FileSpace {
  private static final int CHUNK = 64 * 1024;

  private FileSpace() {}

  /** Writes zeros over {@code [offset, offset + length)}; the caller holds the file lock. */
  static void allocate(FileChannel ch, long offset, long length) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(CHUNK, length));
    long at = offset;
    long end = offset + length;
    while (at < end) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), end - at));
      while (zeros.hasRemaining()) {
        at += ch.write(zeros, at);
      }
    }
  }
}
