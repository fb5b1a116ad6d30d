package dev.rainbarrel.watch;

import dev.rainbarrel.net.TcpExtStats;

/**
 * Callbacks from a {@link Watcher}, run on the watcher thread (keep them short). Every method has
 * an empty default. An exception thrown by a callback is reported once on stderr and does not
 * stop the watcher.
 */
public interface WatcherListener {

  /**
   * A listener started being watched. Called for every listener already watched when the callback
   * is added, too, so a late subscriber sees the full set.
   */
  default void listenerAdded(WatchedListener listener) {}

  /** A listener stopped being watched (its socket closed, or it is no longer discovered). */
  default void listenerRemoved(WatchedListener listener) {}

  /**
   * The host's {@code TcpExt ListenOverflows} or {@code ListenDrops} rose since the previous
   * round (not called for the first reading).
   */
  default void listenOverflowsRose(TcpExtStats previous, TcpExtStats current) {}

  /** A sampling round finished (at {@code epochMillis}). */
  default void sampled(long epochMillis) {}
}
