package dev.rainbarrel.agent;

import dev.rainbarrel.alloc.AllocatorSource;
import dev.rainbarrel.bootstrap.Bridge;
import dev.rainbarrel.http.EmbeddedJolokia;
import dev.rainbarrel.http.EndpointServer;
import dev.rainbarrel.jfr.RainbarrelJfr;
import dev.rainbarrel.jmx.AgentInfo;
import dev.rainbarrel.jmx.RainbarrelMBeans;
import dev.rainbarrel.net.DeferAccept;
import dev.rainbarrel.net.ListenAddress;
import dev.rainbarrel.net.ListenerSampler;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelReaper;
import dev.rainbarrel.watch.WatchedListener;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherConfig;
import dev.rainbarrel.watch.WatcherListener;
import java.lang.instrument.Instrumentation;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the agent runs besides the instrumentation, started after it: the listener
 * {@link Watcher}, the reaper of dead owners' slots, the {@link AllocatorPublisher}, {@code accept_wait} and {@code deferAccept},
 * the MXBeans, the JFR events, the HTTP endpoints and embedded Jolokia.
 *
 * <p>Each part starts on its own: a part that cannot start prints one line naming itself and the
 * reason, and the others go on — the host is never stopped. The MBean {@code
 * rainbarrel:type=Agent} lists which features are active and why the others are not.
 */
final class AgentServices implements AutoCloseable {
  private static final Duration REAPER_INTERVAL = Duration.ofSeconds(10);

  private final List<AutoCloseable> parts = new ArrayList<>();
  private final Map<String, String> features = new LinkedHashMap<>();

  private AgentServices() {}

  /**
   * Connects {@code accept_wait} to the recorder's connection observer. Separate from {@link #start}
   * because at premain it must be in before the host's first connection (with the hooks, before
   * the {@link StartGate} opens) while the rest of the services may come later. Its JFR event is
   * switched on by {@link #start} once the events are registered.
   *
   * @return the recorder, or an exception saying why accept_wait is off
   */
  static Object startAcceptWait(Recorder recorder, Instrumentation inst) {
    try {
      AcceptWaitRecorder a = AcceptWaitRecorder.create(inst, recorder.barrel());
      recorder.setConnectionObserver(a);
      return a;
    } catch (Throwable t) {
      return t;
    }
  }

  /** The ports of the agent's own endpoints ({@code http=}, {@code jolokia=}). */
  static java.util.Set<Integer> endpointPorts(AgentOptions options) {
    java.util.Set<Integer> ports = new java.util.TreeSet<>();
    if (options.http() != null) {
      ports.add(options.http().port());
    }
    if (options.jolokia() != null) {
      ports.add(options.jolokia().port());
    }
    return ports;
  }

  /**
   * Starts every part.
   *
   * @param acceptWait the result of {@link #startAcceptWait} if it already ran, else null (it runs here)
   */
  static AgentServices start(AgentOptions options, Recorder recorder, Instrumentation inst, List<String> hooks,
      Object acceptWait) {
    AgentServices s = new AgentServices();
    StartupClock clock = new StartupClock();
    Barrel barrel = recorder.barrel();
    s.features.put("netlink", orActive(ListenerSampler.netlinkUnavailableReason(),
        Runtime.version().feature() >= 22 ? "active (JDK 22+ FFM)" : "active (JNI library, JDK 17-21)"));

    Watcher watcher = null;
    try {
      WatcherConfig cfg = WatcherConfig.defaults().withInterval(options.interval())
          .withIgnoredPorts(endpointPorts(options)); // the agent's own listeners are not the application's
      if (!options.listeners().isEmpty()) {
        cfg = cfg.withListeners(String.join(";", options.listeners()));
      }
      watcher = Watcher.start(barrel, cfg);
      s.parts.add(watcher);
      s.features.put("watcher", "active, every " + options.interval().toMillis() + " ms");
    } catch (Throwable t) {
      s.off("watcher", t);
    }
    clock.mark("watcher");

    try {
      s.parts.add(BarrelReaper.start(barrel, REAPER_INTERVAL));
    } catch (Throwable t) {
      s.off("reaper", t);
    }

    try {
      s.parts.add(AllocatorPublisher.start(barrel, options.interval()));
      s.features.put("allocators", "every Arena, Pool and NumberFile of the process: MXBeans, JFR, and"
          + " allocator.* gauges in the barrel every " + Math.max(100, options.interval().toMillis()) + " ms");
    } catch (Throwable t) {
      s.off("allocators", t);
    }

    Object aw = acceptWait != null ? acceptWait : startAcceptWait(recorder, inst);
    s.features.put("accept_wait", aw instanceof Throwable t ? "off: " + reason(t) : "active");

    if (options.deferAccept() > 0 && watcher != null) {
      s.deferAccept(watcher, options.deferAccept());
    }

    // The Barrel's own slot allocator and every allocator of the AllocatorRegistry (Arena, Pool,
    // NumberFile: the application's too, whatever its class loader) are added by the MBean and
    // JFR registrations themselves.
    List<AllocatorSource> allocators = List.of();
    clock.mark("reaper+allocators+deferAccept");
    if (options.jmx()) {
      try {
        AgentInfo.Builder b = AgentInfo.builder().version(version()).startTimeMillis(System.currentTimeMillis())
            .options(describe(options)).instrumentedServers(() -> hooks)
            .untrackedRequests(Bridge::untracked);
        s.features.forEach(b::feature);
        s.parts.add(RainbarrelMBeans.registerWhenServerExists(barrel, watcher, b.build(), allocators));
      } catch (Throwable t) {
        s.off("jmx", t);
      }
    }
    clock.mark("jmx");
    if (options.jfr()) {
      try {
        s.parts.add(RainbarrelJfr.register(barrel, watcher, allocators));
        if (aw instanceof AcceptWaitRecorder a) {
          a.jfrRegistered();
        }
      } catch (Throwable t) {
        s.off("jfr", t);
      }
    }
    clock.mark("jfr");
    if (options.http() != null) {
      try {
        InetSocketAddress at = new InetSocketAddress(options.http().host(), options.http().port());
        s.parts.add(EndpointServer.start(at, barrel,
            watcher == null ? null : new WatcherEndpointSources(watcher)));
      } catch (Throwable t) {
        s.off("http", t);
      }
    }
    if (options.jolokia() != null) {
      try {
        InetSocketAddress at = new InetSocketAddress(options.jolokia().host(), options.jolokia().port());
        s.parts.add(EmbeddedJolokia.start(at, false));
      } catch (Throwable t) {
        s.off("jolokia", t);
      }
    }
    clock.mark("endpoints");
    clock.report("services");
    return s;
  }

  /** Sets TCP_DEFER_ACCEPT on every listener the watcher finds, now and later. */
  private void deferAccept(Watcher watcher, int seconds) {
    watcher.addListener(new WatcherListener() {
      private boolean warned;

      @Override
      public void listenerAdded(WatchedListener l) {
        ListenAddress a = l.listenAddress();
        if (!a.isTcp()) {
          return;
        }
        try {
          String c = a.canonical(); // numeric: no DNS
          String host = c.substring(0, c.lastIndexOf(':')).replace("[", "").replace("]", "");
          DeferAccept.set(new InetSocketAddress(java.net.InetAddress.getByName(host), a.port()), seconds);
        } catch (Throwable t) {
          if (!warned) {
            warned = true;
            AgentLog.error("deferAccept=" + seconds + " not set on " + a + ": " + reason(t));
          }
        }
      }
    });
    features.put("deferAccept", seconds + " s on each listener (JDK 22+ only)");
  }

  private void off(String part, Throwable t) {
    features.put(part, "off: " + reason(t));
    AgentLog.error(part + " not started: " + reason(t));
  }

  private static String reason(Throwable t) {
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  private static String orActive(String whyNot, String active) {
    return whyNot == null ? active : "off: " + whyNot;
  }

  private static String version() {
    String v = AgentServices.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static Map<String, String> describe(AgentOptions o) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("file", String.valueOf(o.file()));
    m.put("dir", String.valueOf(o.dir()));
    m.put("listeners", String.join(";", o.listeners()));
    m.put("interval", o.interval().toMillis() + "ms");
    m.put("http", String.valueOf(o.http()));
    m.put("jolokia", String.valueOf(o.jolokia()));
    m.put("jmx", Boolean.toString(o.jmx()));
    m.put("jfr", Boolean.toString(o.jfr()));
    m.put("deferAccept", Integer.toString(o.deferAccept()));
    m.put("servers", String.join(";", o.servers()));
    return m;
  }

  /** Which features run, and why the others do not. */
  Map<String, String> features() {
    return Collections.unmodifiableMap(features);
  }

  @Override
  public void close() {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Throwable ignored) {
        // shutting down: nothing useful to do
      }
    }
  }
}
