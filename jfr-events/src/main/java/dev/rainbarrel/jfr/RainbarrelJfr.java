package dev.rainbarrel.jfr;

import dev.rainbarrel.alloc.AllocatorSource;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.watch.Watcher;
import java.util.List;

/**
 * Entry points for rainbarrel's JFR events (category {@code Rainbarrel}):
 *
 * <table>
 *   <caption>events</caption>
 *   <tr><th>event</th><th>when</th><th>needs</th></tr>
 *   <tr><td>{@code rainbarrel.ListenQueue}</td><td>periodic, per listener</td><td>a Watcher</td></tr>
 *   <tr><td>{@code rainbarrel.Counters}</td><td>periodic</td><td>a Barrel</td></tr>
 *   <tr><td>{@code rainbarrel.Allocator}</td><td>periodic, per allocator</td><td>nothing: the Barrel's slots, the sources given and every allocator in the process's {@code AllocatorRegistry}</td></tr>
 *   <tr><td>{@code rainbarrel.ListenOverflow}</td><td>host ListenOverflows/ListenDrops rose</td><td>a Watcher</td></tr>
 *   <tr><td>{@code rainbarrel.AcceptWait}</td><td>{@link #acceptWait} per accepted connection</td><td>the caller</td></tr>
 * </table>
 *
 * <pre>{@code
 * RainbarrelJfr.Registration jfr = RainbarrelJfr.register(barrel, watcher, List.of());
 * ...                       // in the accept hook, when TCP_INFO gave last_data_recv:
 * RainbarrelJfr.acceptWait("0.0.0.0:8080", lastDataRecvMillis);
 * jfr.close();              // removes the periodic hooks and the watcher callback
 * }</pre>
 *
 * <p>Periodic events cost nothing unless a recording enables them (JFR calls the hooks only
 * then); ListenOverflow and AcceptWait check {@code isEnabled()} before doing any work. Never
 * throws: without the {@code jdk.jfr} module (a jlinked runtime) or on error, {@link #register}
 * prints one line on stderr and returns an inactive registration.
 */
public final class RainbarrelJfr {

  private RainbarrelJfr() {}

  /** Handle of the hooks; {@link #close()} removes them. */
  public interface Registration extends AutoCloseable {
    /** True when the hooks are installed. */
    boolean isActive();

    /** Why not active, or null. */
    String inactiveReason();

    /** Removes the hooks. Idempotent. */
    @Override
    void close();
  }

  /** True when this JVM has the {@code jdk.jfr} module. */
  public static boolean available() {
    return ModuleLayer.boot().findModule("jdk.jfr").isPresent();
  }

  /**
   * Registers the event types (so JMC lists them before any is emitted) and installs the periodic
   * hooks and the watcher callback.
   *
   * @param barrel source of Counters and the barrel_slots Allocator event (null: none)
   * @param watcher source of ListenQueue and ListenOverflow events (null: none)
   * @param allocators further allocators for Allocator events (null or empty: none)
   */
  public static Registration register(Barrel barrel, Watcher watcher, List<AllocatorSource> allocators) {
    if (!available()) {
      return inactive("the jdk.jfr module is not in this runtime");
    }
    try {
      return JfrHooks.install(barrel, watcher, allocators == null ? List.of() : allocators);
    } catch (RuntimeException | LinkageError e) {
      System.err.println("rainbarrel: jfr: events not registered: " + e);
      return inactive(e.toString());
    }
  }

  /**
   * Emits a {@code rainbarrel.AcceptWait} event if a recording enables it and the wait reaches its
   * {@code waitThreshold}. Allocation-free and a few ns when disabled.
   *
   * @param listener the listen address that accepted
   * @param waitMillis {@code tcp_info.last_data_recv} of the accepted socket (ms)
   */
  public static void acceptWait(String listener, long waitMillis) {
    JfrHooks.acceptWait(listener, waitMillis);
  }

  private static Registration inactive(String why) {
    return new Registration() {
      @Override
      public boolean isActive() {
        return false;
      }

      @Override
      public String inactiveReason() {
        return why;
      }

      @Override
      public void close() {}
    };
  }
}
