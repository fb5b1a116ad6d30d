package dev.rainbarrel.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.SettingDefinition;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * {@code rainbarrel.AcceptWait}: how long one accepted connection's first data had been waiting
 * when the server accepted it ({@code tcp_info.last_data_recv}, raindrops' LastDataRecv).
 *
 * <p>Off by default. Its threshold setting is {@code waitThreshold} (e.g. {@code 10 ms}): JFR's
 * built-in {@code threshold} applies to an event's own duration, and this event has none (the wait
 * happened before the event could begin), so a setting of that name cannot filter it.
 */
@Name(AcceptWaitEvent.NAME)
@Label("Accept Wait")
@Category("Rainbarrel")
@Description("Time an accepted connection's data waited in the accept queue (tcp_info last_data_recv at accept); "
    + "filtered by the waitThreshold setting")
@StackTrace(false)
@Enabled(false)
public final class AcceptWaitEvent extends Event {
  /** Event name. */
  public static final String NAME = "rainbarrel.AcceptWait";

  @Label("Listener")
  @Description("Listen address that accepted the connection")
  String listener;

  @Label("Wait")
  @Description("Time since the connection's last data arrived, at accept")
  @Timespan(Timespan.MILLISECONDS)
  long waitTime;

  /** Commits only waits at or above the {@code waitThreshold} setting. */
  @Name("waitThreshold")
  @Label("Wait Threshold")
  @Description("Record only connections that waited at least this long (default 0 ms)")
  @SettingDefinition
  protected boolean waitThreshold(WaitThresholdSetting threshold) {
    return waitTime >= threshold.millis();
  }
}
