package dev.rainbarrel.shm;

import java.util.List;

/**
 * The names under which the agent keeps its figures in a Barrel; users' scripts, the CLI, the
 * MBeans and Prometheus ({@code rainbarrel_<name>}) rely on them.
 *
 * <p>Per-listener figures are slots named {@link #ACTIVE}, {@link #QUEUED} and {@link #BACKLOG}
 * whose label is the listener's address ({@code ip:port}, {@code [ip6]:port} or a Unix path).
 */
public final class StandardNames {
  private StandardNames() {}

  /** Requests inside a handler now (a gauge). */
  public static final String CALLING = "calling";
  /** Responses committed and not yet complete (a gauge). */
  public static final String WRITING = "writing";
  /** Completed requests. */
  public static final String REQUESTS = "requests";
  /** Accepted connections. */
  public static final String ACCEPTED = "accepted";
  /** Requests that ended with an exception or an aborted response. */
  public static final String ERRORS = "errors";
  /** Status classes 1xx to 5xx. */
  public static final List<String> RESPONSES =
      List.of("responses_1xx", "responses_2xx", "responses_3xx", "responses_4xx", "responses_5xx");
  /** Host TcpExt ListenOverflows. */
  public static final String LISTEN_OVERFLOWS = "listen_overflows";
  /** Host TcpExt ListenDrops. */
  public static final String LISTEN_DROPS = "listen_drops";

  /** Connections being served on a listener (label: address). */
  public static final String ACTIVE = "active";
  /** Connections waiting in a listener's accept queue (label: address). */
  public static final String QUEUED = "queued";
  /** A listener's accept-queue limit (label: address). */
  public static final String BACKLOG = "backlog";

  /** Request durations in microseconds (a histogram block). */
  public static final String REQUEST_DURATION = "request_duration";
  /** Milliseconds connections waited before accept() (a histogram block). */
  public static final String ACCEPT_WAIT = "accept_wait";

  /** True for the three per-listener names. */
  public static boolean isListenerStat(String name) {
    return ACTIVE.equals(name) || QUEUED.equals(name) || BACKLOG.equals(name);
  }
}
