package dev.rainbarrel.jmx;

import dev.rainbarrel.watch.WatchedListener;

/** {@link ListenerMXBean} over a {@link WatchedListener}. */
final class ListenerBean implements ListenerMXBean {
  private final WatchedListener l;

  ListenerBean(WatchedListener l) {
    this.l = l;
  }

  @Override
  public String getAddress() {
    return l.address();
  }

  @Override
  public long getActive() {
    return l.active();
  }

  @Override
  public long getQueued() {
    return l.queued();
  }

  @Override
  public long getBacklog() {
    return l.backlog();
  }

  @Override
  public AggregateStats getActiveStats() {
    return AggregateStats.of(l.activeStats());
  }

  @Override
  public AggregateStats getQueuedStats() {
    return AggregateStats.of(l.queuedStats());
  }

  @Override
  public long getWatchedSinceMillis() {
    return l.watchedSinceMillis();
  }

  @Override
  public long getActiveAtMillis() {
    return l.activeAtMillis();
  }

  @Override
  public String getQueuedHistogramText() {
    return l.queuedStats().toText();
  }

  @Override
  public void reset() {
    l.reset();
  }
}
