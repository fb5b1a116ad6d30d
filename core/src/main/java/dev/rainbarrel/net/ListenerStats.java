package dev.rainbarrel.net;

/**
 * One listener's queue numbers at one instant, with raindrops' meaning.
 *
 * @param active connections accepted by the application and still established (ESTABLISHED sockets
 *     on the listener's address that have an inode); for Unix sockets, connected accepted sockets;
 *     {@link #UNKNOWN} in a {@link ListenerSampler#sampleQueues queue-only sample} of a TCP address
 * @param queued connections completed by the kernel but not yet accepted (the accept queue),
 *     summed over every listener on the address (SO_REUSEPORT groups)
 * @param backlog the accept queue's limit, summed over the same listeners, or {@link #UNKNOWN}
 *     when the source cannot tell (the {@code /proc} files do not carry it)
 * @param listeners how many listening sockets matched (0 when nothing listens on the address)
 */
public record ListenerStats(long active, long queued, long backlog, int listeners) {

  /**
   * Value of {@link #backlog()} when the source does not report the limit, and of {@link
   * #active()} when the sample did not count connections.
   */
  public static final long UNKNOWN = -1;

  /** Stats for an address nobody listens on. */
  public static final ListenerStats NONE = new ListenerStats(0, 0, 0, 0);

  /** True when at least one listening socket matched the address. */
  public boolean listening() {
    return listeners > 0;
  }
}
