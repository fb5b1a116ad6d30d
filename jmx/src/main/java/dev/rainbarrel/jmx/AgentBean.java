package dev.rainbarrel.jmx;

import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.net.TcpInfo;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.watch.WatchedListener;
import dev.rainbarrel.watch.Watcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link AgentMXBean} from the Barrel, the watcher (optional) and {@link AgentInfo}. */
final class AgentBean implements AgentMXBean {
  private final Barrel barrel;
  private final Watcher watcher;
  private final AgentInfo info;

  AgentBean(Barrel barrel, Watcher watcher, AgentInfo info) {
    this.barrel = barrel;
    this.watcher = watcher;
    this.info = info;
  }

  @Override
  public String getVersion() {
    return info.version();
  }

  @Override
  public String getBarrelPath() {
    return barrel == null ? "" : barrel.path().toString();
  }

  @Override
  public long getPid() {
    return ProcessHandle.current().pid();
  }

  @Override
  public int getJdkFeature() {
    return Runtime.version().feature();
  }

  @Override
  public Map<String, String> getNativeFeatures() {
    Map<String, String> m = new LinkedHashMap<>();
    String why = ListenerSampler.netlinkUnavailableReason();
    if (watcher != null) {
      m.put("netlink", "NETLINK".equals(watcher.source()) ? "active"
          : "not used: " + (watcher.fallbackReason() != null ? watcher.fallbackReason() : why));
    } else {
      m.put("netlink", why == null ? "available (no watcher running)" : "not available: " + why);
    }
    String jni = watcher != null ? watcher.jniUnavailableReason() : ListenerSampler.jniReason();
    m.put("netlink_jni", jni == null
        ? "active: netlink goes through rainbarrel's JNI library (JDK 17-21)"
        : "not used: " + jni);
    String tcpInfo = TcpInfo.unavailableReason();
    m.put("tcp_info", tcpInfo == null ? "available" : "not available: " + tcpInfo);
    m.putAll(info.features());
    return m;
  }

  @Override
  public List<String> getInstrumentedServers() {
    return new ArrayList<>(info.instrumentedServers());
  }

  @Override
  public long getUntrackedRequests() {
    return info.untrackedRequests();
  }

  @Override
  public long getStartTimeMillis() {
    return info.startTimeMillis();
  }

  @Override
  public String getStartTime() {
    return Instant.ofEpochMilli(info.startTimeMillis()).toString();
  }

  @Override
  public Map<String, String> getOptions() {
    return info.options();
  }

  @Override
  public String getListenerSource() {
    return watcher == null ? "none" : watcher.source();
  }

  @Override
  public long getWatcherIntervalMillis() {
    return watcher == null ? 0 : watcher.config().interval().toMillis();
  }

  @Override
  public long getWatcherRounds() {
    return watcher == null ? 0 : watcher.rounds();
  }

  @Override
  public long getWatcherErrors() {
    return watcher == null ? 0 : watcher.errors();
  }

  @Override
  public long getWatcherLastRoundMicros() {
    return watcher == null ? 0 : watcher.lastRoundNanos() / 1000;
  }

  @Override
  public long getWatcherLastRoundCpuMicros() {
    return watcher == null ? 0 : watcher.lastRoundCpuNanos() / 1000;
  }

  @Override
  public long getWatcherActivePeriodMillis() {
    return watcher == null ? 0 : watcher.activePeriodMillis();
  }

  @Override
  public List<String> getListeners() {
    List<String> l = new ArrayList<>();
    if (watcher != null) {
      for (WatchedListener w : watcher.listeners()) {
        l.add(w.address());
      }
    }
    return l;
  }
}
