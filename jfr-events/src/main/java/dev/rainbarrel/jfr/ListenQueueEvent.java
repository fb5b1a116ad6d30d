package dev.rainbarrel.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** {@code rainbarrel.ListenQueue}: one watched listener, emitted every period (default 1 s). */
@Name(ListenQueueEvent.NAME)
@Label("Listen Queue")
@Category("Rainbarrel")
@Description("A listening socket's accept queue and accepted connections, as the rainbarrel watcher last sampled them")
@StackTrace(false)
@Period("1 s")
public final class ListenQueueEvent extends Event {
  /** Event name. */
  public static final String NAME = "rainbarrel.ListenQueue";

  @Label("Address")
  @Description("Listen address (ip:port, [ip6]:port or Unix path)")
  String address;

  @Label("Active")
  @Description("Connections accepted and still established")
  long active;

  @Label("Queued")
  @Description("Connections waiting in the accept queue")
  long queued;

  @Label("Backlog")
  @Description("Accept queue limit; -1 when the source (/proc) does not report it")
  long backlog;

  @Label("Max Queued")
  @Description("Largest Queued sample since the watcher's last reset of this listener")
  long queuedMax;

  @Label("Mean Queued")
  @Description("Mean Queued since the last reset")
  double queuedMean;

  @Label("Max Active")
  @Description("Largest Active sample since the last reset")
  long activeMax;

  @Label("Sample Count")
  @Description("Samples in the aggregates since the last reset")
  long samples;
}
