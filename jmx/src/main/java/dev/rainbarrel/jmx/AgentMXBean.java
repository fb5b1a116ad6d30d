package dev.rainbarrel.jmx;

import java.util.List;
import java.util.Map;

/** {@code rainbarrel:type=Agent}: the agent itself. */
@Description("The rainbarrel agent: version, shared file, JDK, native features, instrumented servers, options")
public interface AgentMXBean {

  /** Version. */
  @Description("rainbarrel version")
  String getVersion();

  /** Barrel path. */
  @Description("Path of the shared-memory file (read it with: rainbarrel stat <pid|file>)")
  String getBarrelPath();

  /** Pid. */
  @Description("Process id of this JVM")
  long getPid();

  /** JDK feature level. */
  @Description("Feature release of the running JDK (Runtime.version().feature())")
  int getJdkFeature();

  /** Native features. */
  @Description("Native features and their status: 'active', or why not (e.g. netlink needs JDK 22+)")
  Map<String, String> getNativeFeatures();

  /** Servers. */
  @Description("Servers the agent instrumented (empty for library use)")
  List<String> getInstrumentedServers();

  /** Requests the agent could not track. */
  @Description("Requests not counted because more were in flight at once than the agent's in-flight tables hold"
      + " (over a million); 0 normally")
  long getUntrackedRequests();

  /** Start time. */
  @Description("When the agent started (epoch ms)")
  long getStartTimeMillis();

  /** Start time as text. */
  @Description("When the agent started (ISO-8601, UTC)")
  String getStartTime();

  /** Options. */
  @Description("Agent options as given (key -> value)")
  Map<String, String> getOptions();

  /** Listener source. */
  @Description("Kernel interface the watcher samples listeners with: NETLINK or PROC (none without a watcher)")
  String getListenerSource();

  /** Watcher interval. */
  @Description("Watcher sampling period in milliseconds (0 without a watcher)")
  long getWatcherIntervalMillis();

  /** Watcher rounds. */
  @Description("Sampling rounds the watcher completed")
  long getWatcherRounds();

  /** Watcher errors. */
  @Description("Errors the watcher met (each kind printed once on stderr)")
  long getWatcherErrors();

  /** Round cost. */
  @Description("Duration of the watcher's latest round in microseconds")
  long getWatcherLastRoundMicros();

  /** Round CPU cost. */
  @Description("CPU time (user + system) of the watcher's latest round in microseconds, with what "
      + "its thread used since the previous round ended")
  long getWatcherLastRoundCpuMicros();

  /** Active sampling period. */
  @Description("How often the watcher counts Active now, in milliseconds: the interval when that is "
      + "cheap, longer when counting walks many host connections (kept within the watcher's CPU "
      + "budget, at most 10 s apart while that holds the watcher within 0.1 % of a core, else "
      + "at most 30 s); Queued and Backlog are sampled every round "
      + "(0 without a watcher)")
  long getWatcherActivePeriodMillis();

  /** Watched listeners. */
  @Description("Addresses the watcher watches now")
  List<String> getListeners();
}
