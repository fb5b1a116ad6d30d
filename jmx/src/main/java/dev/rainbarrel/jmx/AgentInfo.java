package dev.rainbarrel.jmx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code rainbarrel:type=Agent} shows beyond what the Barrel and the watcher know: filled in
 * by the agent at start-up (a library user may leave everything at its default).
 *
 * <pre>{@code
 * AgentInfo info = AgentInfo.builder()
 *     .options(parsedOptions)                        // key -> value as given
 *     .instrumentedServers(() -> instrumentation.serversSeen())
 *     .feature("deferAccept", "off (option not set)")
 *     .build();
 * }</pre>
 */
public final class AgentInfo {
  private final String version;
  private final long startTimeMillis;
  private final Map<String, String> options;
  private final Supplier<List<String>> instrumentedServers;
  private final LongSupplier untrackedRequests;
  private final Map<String, String> features;

  private AgentInfo(Builder b) {
    this.version = b.version;
    this.startTimeMillis = b.startTimeMillis;
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
    this.instrumentedServers = b.instrumentedServers;
    this.untrackedRequests = b.untrackedRequests;
    this.features = Collections.unmodifiableMap(new LinkedHashMap<>(b.features));
  }

  /** A builder with defaults: version from the jar manifest, start time now, no options. */
  public static Builder builder() {
    return new Builder();
  }

  /** Defaults only (library use). */
  public static AgentInfo defaults() {
    return builder().build();
  }

  /** The rainbarrel version. */
  public String version() {
    return version;
  }

  /** Start time, epoch ms. */
  public long startTimeMillis() {
    return startTimeMillis;
  }

  /** Options as given to the agent. */
  public Map<String, String> options() {
    return options;
  }

  /** The servers the agent instrumented (asked each time the attribute is read). */
  public List<String> instrumentedServers() {
    List<String> l = instrumentedServers.get();
    return l == null ? List.of() : l;
  }

  /**
   * Requests not counted because more were in flight at once than the agent's in-flight tables
   * hold (asked each time the attribute is read; 0 for a library user).
   */
  public long untrackedRequests() {
    return untrackedRequests.getAsLong();
  }

  /** Extra native-feature statuses given by the agent (feature -> "active" or why not). */
  public Map<String, String> features() {
    return features;
  }

  /** Builder of {@link AgentInfo}. */
  public static final class Builder {
    private String version = defaultVersion();
    private long startTimeMillis = System.currentTimeMillis();
    private final Map<String, String> options = new LinkedHashMap<>();
    private Supplier<List<String>> instrumentedServers = List::of;
    private LongSupplier untrackedRequests = () -> 0;
    private final Map<String, String> features = new LinkedHashMap<>();

    private Builder() {}

    /** Sets the version string. */
    public Builder version(String v) {
      this.version = v == null ? "unknown" : v;
      return this;
    }

    /** Sets the start time (epoch ms). */
    public Builder startTimeMillis(long t) {
      this.startTimeMillis = t;
      return this;
    }

    /** Adds the agent's options (key -> value as given). */
    public Builder options(Map<String, String> o) {
      if (o != null) {
        options.putAll(o);
      }
      return this;
    }

    /** Sets where the list of instrumented servers comes from. */
    public Builder instrumentedServers(Supplier<List<String>> s) {
      if (s != null) {
        this.instrumentedServers = s;
      }
      return this;
    }

    /** Sets where the count of requests the agent could not track comes from. */
    public Builder untrackedRequests(LongSupplier s) {
      if (s != null) {
        this.untrackedRequests = s;
      }
      return this;
    }

    /** Adds a native feature's status: "active", or the reason it is not. */
    public Builder feature(String name, String status) {
      features.put(name, status);
      return this;
    }

    /** Builds. */
    public AgentInfo build() {
      return new AgentInfo(this);
    }

    private static String defaultVersion() {
      String v = AgentInfo.class.getPackage() == null ? null : AgentInfo.class.getPackage().getImplementationVersion();
      return v == null ? "development" : v;
    }
  }
}
