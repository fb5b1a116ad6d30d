package dev.rainbarrel.agent.instrumentation.weave;

/** A plain substring search over bytes (class files are small; no tables to build per needle). */
final class ByteSearch {

  private ByteSearch() {}

  static boolean contains(byte[] haystack, byte[] needle) {
    int n = needle.length;
    if (n == 0) {
      return true;
    }
    byte first = needle[0];
    int last = haystack.length - n;
    outer:
    for (int i = 0; i <= last; i++) {
      if (haystack[i] != first) {
        continue;
      }
      for (int j = 1; j < n; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
