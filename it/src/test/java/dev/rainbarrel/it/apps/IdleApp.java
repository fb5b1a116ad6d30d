package dev.rainbarrel.it.apps;

/** Does nothing but report that main started (after premain), then idles up to 60 s. */
public final class IdleApp {

  public static void main(String[] args) throws InterruptedException {
    System.out.println("PORT 0");
    System.out.flush();
    Thread.sleep(60_000);
  }
}
