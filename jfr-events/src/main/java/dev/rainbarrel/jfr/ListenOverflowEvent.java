package dev.rainbarrel.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * {@code rainbarrel.ListenOverflow}: the host's {@code ListenOverflows} or {@code ListenDrops} rose
 * since the watcher's previous round (a full accept queue dropped connections somewhere on the
 * host's network namespace).
 */
@Name(ListenOverflowEvent.NAME)
@Label("Listen Overflow")
@Category("Rainbarrel")
@Description("Connections were dropped at a listener since the previous watcher round (TcpExt ListenOverflows / ListenDrops rose)")
@StackTrace(false)
public final class ListenOverflowEvent extends Event {
  /** Event name. */
  public static final String NAME = "rainbarrel.ListenOverflow";

  @Label("New Overflows")
  @Description("Increase of ListenOverflows since the previous round: handshakes dropped because an accept queue was full")
  long overflows;

  @Label("New Drops")
  @Description("Increase of ListenDrops since the previous round")
  long drops;

  @Label("Listen Overflows")
  @Description("ListenOverflows now (host total)")
  long listenOverflows;

  @Label("Listen Drops")
  @Description("ListenDrops now (host total)")
  long listenDrops;

  @Label("Most Queued Listener")
  @Description("The watched listener with the most queued connections at this round, if any")
  String fullestListener;

  @Label("Its Queued")
  @Description("Queued connections of that listener")
  long fullestQueued;
}
