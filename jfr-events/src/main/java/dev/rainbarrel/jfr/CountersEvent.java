package dev.rainbarrel.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** {@code rainbarrel.Counters}: the shared file's standard counters, every period (default 1 s). */
@Name(CountersEvent.NAME)
@Label("Counters")
@Category("Rainbarrel")
@Description("rainbarrel's request and connection counters from the shared file (gauges summed over live processes)")
@StackTrace(false)
@Period("1 s")
public final class CountersEvent extends Event {
  /** Event name. */
  public static final String NAME = "rainbarrel.Counters";

  @Label("Calling")
  @Description("Requests inside a handler now")
  long calling;

  @Label("Writing")
  @Description("Responses committed and not yet complete")
  long writing;

  @Label("Requests")
  @Description("Completed requests (total)")
  long requests;

  @Label("Accepted")
  @Description("Connections accepted (total)")
  long accepted;

  @Label("Errors")
  @Description("Requests that ended with an exception or an aborted response (total)")
  long errors;

  @Label("1xx Responses")
  long responses1xx;

  @Label("2xx Responses")
  long responses2xx;

  @Label("3xx Responses")
  long responses3xx;

  @Label("4xx Responses")
  long responses4xx;

  @Label("5xx Responses")
  long responses5xx;

  @Label("Listen Overflows")
  @Description("Host TcpExt ListenOverflows (total)")
  long listenOverflows;

  @Label("Listen Drops")
  @Description("Host TcpExt ListenDrops (total)")
  long listenDrops;
}
