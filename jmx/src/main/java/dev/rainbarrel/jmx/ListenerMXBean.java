package dev.rainbarrel.jmx;

/** {@code rainbarrel:type=Listener,address=<quoted address>}: one watched listener. */
@Description("A listening socket watched by rainbarrel: accept queue and accepted connections, "
    + "with raindrops Watcher aggregates since the last reset")
public interface ListenerMXBean {

  /** The address. */
  @Description("Listen address (ip:port, [ip6]:port or Unix path)")
  String getAddress();

  /** Active connections. */
  @Description("Connections accepted by the server and still established, at the latest sample")
  long getActive();

  /** Queued connections. */
  @Description("Connections completed by the kernel and waiting in the accept queue, at the latest sample")
  long getQueued();

  /** Backlog. */
  @Description("Accept queue limit (listen backlog); -1 when the source (/proc) does not report it")
  long getBacklog();

  /** Aggregate of active. */
  @Description("Aggregate of Active since the last reset: count, min, max, mean, stdDev (sample), "
      + "outliers, p50/p90/p99, current, reset and peak times (epoch ms), log2 histogram")
  AggregateStats getActiveStats();

  /** Aggregate of queued. */
  @Description("Aggregate of Queued since the last reset: count, min, max, mean, stdDev (sample), "
      + "outliers, p50/p90/p99, current, reset and peak times (epoch ms), log2 histogram")
  AggregateStats getQueuedStats();

  /** Start of watching. */
  @Description("When the watcher started watching this listener (epoch ms)")
  long getWatchedSinceMillis();

  /** When Active was counted. */
  @Description("When Active was last counted (epoch ms); the watcher counts it less often than it "
      + "samples Queued when counting is expensive (Agent attribute WatcherActivePeriodMillis)")
  long getActiveAtMillis();

  /** Text page. */
  @Description("The queued log2 histogram as raindrops' Watcher prints it")
  String getQueuedHistogramText();

  /** Resets the aggregates. */
  @Description("Clears the ActiveStats and QueuedStats aggregates (current values keep being sampled)")
  void reset();
}
