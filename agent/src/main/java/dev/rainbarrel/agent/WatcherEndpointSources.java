package dev.rainbarrel.agent;

import dev.rainbarrel.http.EndpointSources;
import dev.rainbarrel.net.ListenerStats;
import dev.rainbarrel.stats.SampleSnapshot;
import dev.rainbarrel.watch.WatchedListener;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the Watcher pages and the tail need, answered by the agent's {@link Watcher}. */
final class WatcherEndpointSources implements EndpointSources {
  private final Watcher watcher;
  private volatile long lastSampleMillis;

  WatcherEndpointSources(Watcher watcher) {
    this.watcher = watcher;
    watcher.addListener(new WatcherListener() {
      @Override
      public void sampled(long epochMillis) {
        lastSampleMillis = epochMillis;
      }
    });
  }

  @Override
  public List<String> addresses() {
    List<String> out = new ArrayList<>();
    for (WatchedListener l : watcher.listeners()) {
      out.add(l.address());
    }
    return out;
  }

  @Override
  public SampleSnapshot active(String address) {
    WatchedListener l = watcher.listener(address);
    return l == null ? null : l.activeStats();
  }

  @Override
  public SampleSnapshot queued(String address) {
    WatchedListener l = watcher.listener(address);
    return l == null ? null : l.queuedStats();
  }

  @Override
  public boolean reset(String address) {
    WatchedListener l = watcher.listener(address);
    if (l == null) {
      return false;
    }
    l.reset();
    return true;
  }

  @Override
  public Duration interval() {
    return watcher.config().interval();
  }

  @Override
  public long lastSampleMillis() {
    return lastSampleMillis;
  }

  @Override
  public AutoCloseable subscribe(SampleListener listener) {
    WatcherListener w = new WatcherListener() {
      @Override
      public void sampled(long epochMillis) {
        Map<String, ListenerStats> stats = new LinkedHashMap<>();
        for (WatchedListener l : watcher.listeners()) {
          stats.put(l.address(), l.latest());
        }
        listener.sampled(epochMillis, stats);
      }
    };
    watcher.addListener(w);
    return () -> watcher.removeListener(w);
  }
}
