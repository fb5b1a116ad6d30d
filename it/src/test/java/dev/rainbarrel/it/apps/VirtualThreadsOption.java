package dev.rainbarrel.it.apps;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code -Dit.virtualThreads=true}: the test apps serve requests on virtual threads (JDK 21+),
 * reached by reflection because the apps are compiled for JDK 17.
 */
public final class VirtualThreadsOption {

  private VirtualThreadsOption() {}

  /** Whether the test asked for virtual threads. */
  public static boolean enabled() {
    return Boolean.getBoolean("it.virtualThreads");
  }

  /** {@code Executors.newVirtualThreadPerTaskExecutor()}. */
  public static ExecutorService perTaskExecutor() {
    try {
      return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("virtual threads need JDK 21 or newer", e);
    }
  }
}
