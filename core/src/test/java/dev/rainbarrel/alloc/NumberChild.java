package dev.rainbarrel.alloc;

import java.nio.file.Path;

/** Child JVM: allocates N numbers from a number file, prints them on one line, then idles. */
public final class NumberChild {

  private NumberChild() {}

  public static void main(String[] args) throws Exception {
    NumberFile f = NumberFile.open(Path.of(args[0]), 1);
    int n = Integer.parseInt(args[1]);
    StringBuilder sb = new StringBuilder("numbers");
    for (int i = 0; i < n; i++) {
      int x = f.allocate();
      if (x == NumberAllocator.NO_FREE_NUMBER) {
        break;
      }
      sb.append(' ').append(x);
    }
    System.out.println(sb);
    System.out.flush();
    Thread.sleep(60_000); // hold them until killed (bounded: the parent kills it long before)
  }
}
