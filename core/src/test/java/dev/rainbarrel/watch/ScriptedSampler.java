package dev.rainbarrel.watch;

import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.ListenerStats;
import dev.rainbarrel.net.StatsSource;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A sampler that answers a fixed series (or throws), to check the watcher's arithmetic exactly. */
final class ScriptedSampler implements ListenerSampler {
  final Deque<Object> script = new ArrayDeque<>(); // ListenerStats or an IOException to throw
  int calls;
  int queueCalls; // sampleQueues calls (a subset of calls)
  boolean closed;

  ScriptedSampler then(long active, long queued) {
    script.add(new ListenerStats(active, queued, 128, 1));
    return this;
  }

  ScriptedSampler thenFail(String message) {
    script.add(new IOException(message));
    return this;
  }

  @Override
  public Map<String, ListenerStats> sample(List<ListenAddress> addresses) throws IOException {
    calls++;
    Object next = script.poll();
    if (next instanceof IOException) {
      throw (IOException) next;
    }
    Map<String, ListenerStats> m = new LinkedHashMap<>();
    for (ListenAddress a : addresses) {
      m.put(a.toString(), next == null ? ListenerStats.NONE : (ListenerStats) next);
    }
    return m;
  }

  /** Answers the next scripted value with {@code active} unknown, as a LISTEN-only sample does. */
  @Override
  public Map<String, ListenerStats> sampleQueues(List<ListenAddress> addresses) throws IOException {
    queueCalls++;
    Map<String, ListenerStats> m = sample(addresses);
    m.replaceAll((k, v) -> new ListenerStats(ListenerStats.UNKNOWN, v.queued(), v.backlog(), v.listeners()));
    return m;
  }

  @Override
  public Map<String, ListenerStats> sampleAllTcp() {
    throw new UnsupportedOperationException("not used by the watcher");
  }

  @Override
  public Map<String, ListenerStats> sampleAll() {
    throw new UnsupportedOperationException("not used by the watcher");
  }

  @Override
  public StatsSource source() {
    return StatsSource.PROC;
  }

  @Override
  public void close() {
    closed = true;
  }
}
