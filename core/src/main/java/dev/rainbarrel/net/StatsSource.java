package dev.rainbarrel.net;

/** Which kernel interface answered a sample. */
public enum StatsSource {
  /**
   * {@code NETLINK_SOCK_DIAG} ({@code inet_diag}, {@code unix_diag}): through the FFM API on JDK
   * 22+, through the project's JNI library on JDK 17-21.
   */
  NETLINK,
  /** Parsing {@code /proc/net/tcp}, {@code /proc/net/tcp6} and {@code /proc/net/unix}. */
  PROC
}
