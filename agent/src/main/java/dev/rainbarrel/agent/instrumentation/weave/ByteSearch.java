package dev.rainbarrel.agent.instrumentation.weave;

import java.nio.charset.StandardCharsets;

/**
 * A substring search over class-file bytes (Boyer-Moore-Horspool): on a mismatch it skips ahead
 * by up to the needle's length, so a 16-byte needle reads about one byte in ten of a class file
 * that does not contain it - which is nearly every class the JVM loads.
 */
final class ByteSearch {
  private final byte[] needle;
  private final int[] shift = new int[256];

  ByteSearch(String needle) {
    this.needle = needle.getBytes(StandardCharsets.UTF_8);
    int n = this.needle.length;
    java.util.Arrays.fill(shift, n);
    for (int i = 0; i < n - 1; i++) {
      shift[this.needle[i] & 0xFF] = n - 1 - i;
    }
  }

  /** Whether {@code haystack} contains the needle. */
  boolean in(byte[] haystack) {
    int n = needle.length;
    if (n == 0) {
      return true;
    }
    int last = n - 1;
    for (int i = 0; i <= haystack.length - n; i += shift[haystack[i + last] & 0xFF]) {
      int j = last;
      while (haystack[i + j] == needle[j]) {
        if (j == 0) {
          return true;
        }
        j--;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return new String(needle, StandardCharsets.UTF_8);
  }
}
