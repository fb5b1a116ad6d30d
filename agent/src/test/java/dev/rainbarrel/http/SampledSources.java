package dev.rainbarrel.http;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.ListenerStats;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.StandardNames;
import dev.rainbarrel.stats.SampleAggregate;
import dev.rainbarrel.stats.SampleSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The test's stand-in for the agent's watcher: samples real listeners with {@link
 * ListenerSampler#open()} every interval on its own daemon thread, writes the per-listener gauges
 * into the Barrel, keeps a {@link SampleAggregate} per address and notifies subscribers.
 */
final class SampledSources implements EndpointSources, AutoCloseable {
  private final Barrel barrel;
  private final List<ListenAddress> addresses = new ArrayList<>();
  private final Duration interval;
  private final Map<String, SampleAggregate> active = new ConcurrentHashMap<>();
  private final Map<String, SampleAggregate> queued = new ConcurrentHashMap<>();
  private final List<SampleListener> listeners = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile long last;
  private volatile boolean running = true;
  private volatile Throwable failure;

  SampledSources(Barrel barrel, Duration interval, String... addrs) {
    this.barrel = barrel;
    this.interval = interval;
    for (String a : addrs) {
      addresses.add(ListenAddress.parse(a));
      active.put(a, new SampleAggregate());
      queued.put(a, new SampleAggregate());
    }
    thread = new Thread(this::loop, "test-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try (ListenerSampler sampler = ListenerSampler.open()) {
      while (running) {
        Map<String, ListenerStats> m = sampler.sample(addresses);
        long now = System.currentTimeMillis();
        for (Map.Entry<String, ListenerStats> e : m.entrySet()) {
          if (!active.containsKey(e.getKey())) {
            continue;
          }
          ListenerStats s = e.getValue();
          barrel.gauge(StandardNames.ACTIVE, e.getKey()).set(s.active());
          barrel.gauge(StandardNames.QUEUED, e.getKey()).set(s.queued());
          barrel.gauge(StandardNames.BACKLOG, e.getKey()).set(Math.max(0, s.backlog()));
          active.get(e.getKey()).add(s.active(), now);
          queued.get(e.getKey()).add(s.queued(), now);
        }
        last = now;
        for (SampleListener l : listeners) {
          l.sampled(now, m);
        }
        Thread.sleep(interval.toMillis());
      }
    } catch (InterruptedException e) {
      // closing
    } catch (Throwable t) {
      failure = t;
    }
  }

  /** Waits until at least {@code n} samples have been taken (bounded). */
  void awaitSamples(int n) throws InterruptedException {
    String first = addresses.get(0).toString();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (active.get(first).count() < n && System.nanoTime() < deadline) {
      if (failure != null) {
        throw new AssertionError("sampler failed", failure);
      }
      Thread.sleep(20);
    }
    if (active.get(first).count() < n) {
      throw new AssertionError("fewer than " + n + " samples after 10 s");
    }
  }

  /** Hands a made-up sample to the subscribers, as the watcher thread would (for load tests). */
  void publish(long epochMillis, Map<String, ListenerStats> stats) {
    for (SampleListener l : listeners) {
      l.sampled(epochMillis, stats);
    }
  }

  int subscribers() {
    return listeners.size();
  }

  @Override
  public List<String> addresses() {
    return new ArrayList<>(active.keySet());
  }

  @Override
  public SampleSnapshot active(String address) {
    SampleAggregate a = active.get(address);
    return a == null ? null : a.snapshot();
  }

  @Override
  public SampleSnapshot queued(String address) {
    SampleAggregate a = queued.get(address);
    return a == null ? null : a.snapshot();
  }

  @Override
  public boolean reset(String address) {
    SampleAggregate a = active.get(address);
    if (a == null) {
      return false;
    }
    long now = System.currentTimeMillis();
    a.reset(now);
    queued.get(address).reset(now);
    return true;
  }

  @Override
  public Duration interval() {
    return interval;
  }

  @Override
  public long lastSampleMillis() {
    return last;
  }

  @Override
  public AutoCloseable subscribe(SampleListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5000);
  }
}
