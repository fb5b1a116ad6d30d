package dev.rainbarrel.watch;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerStats;
import dev.rainbarrel.stats.SampleAggregate;
import dev.rainbarrel.stats.SampleSnapshot;

/**
 * One listener as a {@link Watcher} sees it: the latest {@code active}/{@code queued}/{@code
 * backlog} and raindrops-Watcher aggregates of {@code active} and {@code queued} since creation or
 * the last {@link #reset()}. Thread-safe: the watcher thread writes, anyone reads or resets.
 */
public final class WatchedListener {

  private final ListenAddress address;
  private final String name;
  private final SampleAggregate active;
  private final SampleAggregate queued;
  private final long watchedSinceMillis;
  private volatile ListenerStats latest = ListenerStats.NONE;
  private volatile long latestAtMillis;
  private volatile long activeAtMillis;

  WatchedListener(ListenAddress address, long nowMillis) {
    this.address = address;
    this.name = address.toString();
    this.active = new SampleAggregate(nowMillis);
    this.queued = new SampleAggregate(nowMillis);
    this.watchedSinceMillis = nowMillis;
  }

  /** A full sample: both aggregates get a value. */
  void add(ListenerStats s, long nowMillis) {
    latest = s;
    latestAtMillis = nowMillis;
    activeAtMillis = nowMillis;
    active.add(Math.max(0, s.active()), nowMillis);
    queued.add(Math.max(0, s.queued()), nowMillis);
  }

  /**
   * A queue-only sample ({@code active} not counted this round): {@code queued} and {@code
   * backlog} are updated and aggregated; {@code active} keeps its value from the latest full
   * sample and its aggregate gets no sample.
   */
  void addQueues(ListenerStats s, long nowMillis) {
    ListenerStats before = latest;
    latest = new ListenerStats(before.active(), s.queued(), s.backlog(), s.listeners());
    latestAtMillis = nowMillis;
    queued.add(Math.max(0, s.queued()), nowMillis);
  }

  /** The address as written in the Barrel, MBean names and JFR events ({@code 127.0.0.1:8080}). */
  public String address() {
    return name;
  }

  /** The parsed address. */
  public ListenAddress listenAddress() {
    return address;
  }

  /** Connections accepted and still open, at the latest sample that counted them ({@link #activeAtMillis()}). */
  public long active() {
    return latest.active();
  }

  /** Connections waiting in the accept queue, at the latest sample. */
  public long queued() {
    return latest.queued();
  }

  /**
   * The accept queue's limit at the latest sample, or {@link ListenerStats#UNKNOWN} when the
   * source ({@code /proc}) does not report it.
   */
  public long backlog() {
    return latest.backlog();
  }

  /** The latest raw sample. */
  public ListenerStats latest() {
    return latest;
  }

  /** When the latest sample was taken (epoch ms; 0 before the first). */
  public long latestAtMillis() {
    return latestAtMillis;
  }

  /**
   * When {@link #active()} was last counted (epoch ms; 0 before the first): the watcher counts
   * {@code active} less often than it samples {@code queued} when that is expensive (see {@link
   * Watcher#activePeriodMillis()}).
   */
  public long activeAtMillis() {
    return activeAtMillis;
  }

  /** When the watcher started watching this listener (epoch ms). */
  public long watchedSinceMillis() {
    return watchedSinceMillis;
  }

  /**
   * Aggregate of {@code active} since creation or reset: one sample per round that counted
   * {@code active}, which can be fewer than {@code queued}'s (see {@link Watcher#activePeriodMillis()}).
   */
  public SampleSnapshot activeStats() {
    return active.snapshot();
  }

  /** Aggregate of {@code queued} since creation or reset. */
  public SampleSnapshot queuedStats() {
    return queued.snapshot();
  }

  /** Clears both aggregates now (current values and the sampling continue). */
  public void reset() {
    long now = System.currentTimeMillis();
    active.reset(now);
    queued.reset(now);
  }

  @Override
  public String toString() {
    ListenerStats s = latest;
    return name + " active=" + s.active() + " queued=" + s.queued() + " backlog=" + s.backlog();
  }
}
