package dev.rainbarrel.agent.instrumentation.weave;

/** A class the weaver tests hook (defined woven in a child loader, never used directly). */
public class WeaveTarget {
  public int count = 7;
  public static String label = "L";

  public WeaveTarget() {}

  public WeaveTarget(String ignored) {
    this();
  }

  public String greet(String who, long n) {
    String s = "hi " + who;
    for (int i = 0; i < 2; i++) {
      s = s + n;
    }
    return s;
  }

  public int fails(int x) {
    if (x > 0) {
      throw new IllegalStateException("boom " + x);
    }
    return x;
  }

  public int catches(int x) {
    try {
      if (x > 0) {
        throw new IllegalArgumentException("inner");
      }
      return 1;
    } catch (IllegalArgumentException e) {
      return 2;
    }
  }

  public static double twice(double d, long l) {
    return d * 2 + l;
  }

  public void quiet() {
    count++;
  }
}
