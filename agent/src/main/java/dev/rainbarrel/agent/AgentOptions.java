package dev.rainbarrel.agent;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's options: {@code key=value,key=value...} (the {@code -javaagent} argument, also what
 * {@code attach} passes), optionally {@code config=FILE} naming a properties file with the same
 * keys. Keys given in the argument string win over the file.
 *
 * <p>Parsing never throws: each problem becomes one line in {@link #problems()} naming the key, the
 * value and what was expected, and that key keeps its default. Keys, values and defaults are those
 * of DESIGN.md ("Agent options").
 */
public final class AgentOptions {

  /** Every key the agent understands. */
  public static final Set<String> KEYS =
      Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
          "file", "dir", "listeners", "interval", "http", "jolokia", "jmx", "jfr", "deferAccept",
          "servers", "config")));

  /** Names accepted by {@code servers} (besides {@code all} and {@code none}). */
  public static final Set<String> SERVERS =
      Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
          "accept", "jdkhttp", "servlet", "tomcat", "jetty", "undertow", "netty")));

  /**
   * The patterns for option values, compiled on first use: premain runs on the host's main
   * thread, and with no such option given it should not load and compile the regex engine.
   */
  private static final class Patterns {
    static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
    static final Pattern HOST_PORT = Pattern.compile("(?:(\\[[0-9a-fA-F:.]+\\]|[^:\\[\\]]+):)?(\\d{1,5})");
  }

  private Path file;
  private Path dir;
  private List<String> listeners = List.of();
  private Duration interval = Duration.ofSeconds(1);
  private HostPort http;
  private HostPort jolokia;
  private boolean jmx = true;
  private boolean jfr = true;
  private int deferAccept;
  private Set<String> servers = SERVERS;
  private final List<String> problems = new ArrayList<>();

  /** A {@code [host:]port} value; host defaults to 127.0.0.1. */
  public record HostPort(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  private AgentOptions() {}

  /** Parses an agent argument string (null or empty means all defaults). */
  public static AgentOptions parse(String args) {
    AgentOptions o = new AgentOptions();
    Map<String, String> given = new LinkedHashMap<>();
    if (args != null && !args.isBlank()) {
      for (String part : args.split(",")) {
        String p = part.trim();
        if (p.isEmpty()) {
          continue;
        }
        int eq = p.indexOf('=');
        if (eq <= 0) {
          o.problems.add("bad option '" + p + "' (expected key=value); ignored");
          continue;
        }
        given.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
      }
    }
    Map<String, String> all = new LinkedHashMap<>();
    String config = given.get("config");
    if (config != null) {
      o.loadConfig(config, all);
    }
    all.putAll(given); // the argument string wins over the file
    all.remove("config");
    for (Map.Entry<String, String> e : all.entrySet()) {
      o.apply(e.getKey(), e.getValue());
    }
    return o;
  }

  private void loadConfig(String value, Map<String, String> into) {
    if (value.isEmpty()) {
      problems.add("bad value for option config: '' (expected a properties file); ignored");
      return;
    }
    Path p = Path.of(value);
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(p)) {
      props.load(r);
    } catch (IOException | RuntimeException e) {
      problems.add("cannot read config file " + p + " (" + e + "); ignored");
      return;
    }
    for (String k : props.stringPropertyNames()) {
      if (k.equals("config")) {
        problems.add("option config inside config file " + p + " is not allowed; ignored");
        continue;
      }
      into.put(k.trim(), props.getProperty(k).trim());
    }
  }

  private void apply(String key, String value) {
    switch (key) {
      case "file" -> file = path(key, value);
      case "dir" -> dir = path(key, value);
      case "listeners" -> listeners = listeners(value);
      case "interval" -> {
        Duration d = duration(key, value);
        if (d != null) {
          interval = d;
        }
      }
      case "http" -> http = hostPort(key, value, null);
      case "jolokia" -> jolokia = hostPort(key, value, null);
      case "jmx" -> jmx = bool(key, value, true);
      case "jfr" -> jfr = bool(key, value, true);
      case "deferAccept" -> deferAccept = seconds(key, value);
      case "servers" -> servers = servers(value);
      default -> problems.add("unknown option '" + key + "' (known: " + String.join(", ", KEYS) + "); ignored");
    }
  }

  private Path path(String key, String value) {
    if (value.isEmpty() || value.indexOf('\0') >= 0) {
      problems.add("bad value for option " + key + ": '" + value + "' (expected a path); using the default");
      return null;
    }
    try {
      return Path.of(value);
    } catch (RuntimeException e) {
      problems.add("bad value for option " + key + ": '" + value + "' (" + e.getMessage() + "); using the default");
      return null;
    }
  }

  private List<String> listeners(String value) {
    List<String> out = new ArrayList<>();
    for (String a : value.split(";")) {
      String s = a.trim();
      if (s.isEmpty()) {
        continue;
      }
      if (s.startsWith("/") || s.startsWith("@")) {
        out.add(s); // Unix socket path (or abstract name)
        continue;
      }
      int colon = s.lastIndexOf(':');
      boolean ok = colon > 0 && colon < s.length() - 1;
      if (ok) {
        String host = s.substring(0, colon);
        ok = validPort(s.substring(colon + 1))
            && (!host.startsWith("[") || host.endsWith("]"))
            && !(host.indexOf(':') >= 0 && !host.startsWith("["));
      }
      if (ok) {
        out.add(s);
      } else {
        problems.add("bad listener '" + s + "' in option listeners (expected ip:port, [ip6]:port or /unix/path); ignored");
      }
    }
    return List.copyOf(out);
  }

  private static boolean validPort(String s) {
    if (!s.matches("\\d{1,5}")) {
      return false;
    }
    int p = Integer.parseInt(s);
    return p >= 1 && p <= 65535;
  }

  private Duration duration(String key, String value) {
    Matcher m = Patterns.DURATION.matcher(value);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      };
      if (!d.isZero()) {
        return d;
      }
    }
    problems.add("bad value for option " + key + ": '" + value
        + "' (expected a positive duration like 250ms, 1s, 2m); using the default 1s");
    return null;
  }

  private HostPort hostPort(String key, String value, HostPort dflt) {
    Matcher m = Patterns.HOST_PORT.matcher(value);
    if (m.matches() && validPort(m.group(2))) {
      String host = m.group(1) == null ? "127.0.0.1" : m.group(1);
      if (host.startsWith("[")) {
        host = host.substring(1, host.length() - 1);
      }
      return new HostPort(host, Integer.parseInt(m.group(2)));
    }
    problems.add("bad value for option " + key + ": '" + value
        + "' (expected [host:]port with port 1-65535); " + key + " stays off");
    return dflt;
  }

  private boolean bool(String key, String value, boolean dflt) {
    String v = value.toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    problems.add("bad value for option " + key + ": '" + value + "' (expected true or false); using the default " + dflt);
    return dflt;
  }

  private int seconds(String key, String value) {
    if (value.matches("\\d{1,5}")) {
      return Integer.parseInt(value);
    }
    problems.add("bad value for option " + key + ": '" + value + "' (expected whole seconds 0-99999); off");
    return 0;
  }

  private Set<String> servers(String value) {
    Set<String> out = new LinkedHashSet<>();
    boolean none = false;
    for (String a : value.split("[;+]")) {
      String s = a.trim();
      if (s.equals("all")) {
        out.addAll(SERVERS);
      } else if (s.equals("none")) {
        none = true; // explicitly nothing
      } else if (SERVERS.contains(s)) {
        out.add(s);
      } else if (!s.isEmpty()) {
        problems.add("unknown server '" + s + "' in option servers (known: all, none, "
            + String.join(", ", SERVERS) + "); ignored");
      }
    }
    if (out.isEmpty() && !none) {
      // nothing sensible left (a typo such as servers=jety): the default, not every hook off
      if (!value.isBlank() && !problems.isEmpty() && problems.get(problems.size() - 1).startsWith("unknown server '")) {
        String last = problems.remove(problems.size() - 1);
        problems.add(last.substring(0, last.length() - "ignored".length()) + "no known server left, so all");
      } else {
        problems.add("bad value for option servers: '" + value + "' (expected all, none or server names); all");
      }
      return SERVERS;
    }
    return Collections.unmodifiableSet(out);
  }

  /** One line per problem found, in order; empty when every option was good. */
  public List<String> problems() {
    return Collections.unmodifiableList(problems);
  }

  /** {@code file=}: a stable Barrel path, or null for the default per-pid file. */
  public Path file() {
    return file;
  }

  /** {@code dir=}: the directory for the default per-pid file, or null for the default directory. */
  public Path dir() {
    return dir;
  }

  /** {@code listeners=}: explicit addresses to watch; empty means auto-discover. */
  public List<String> listeners() {
    return listeners;
  }

  /** {@code interval=}: the watcher's sampling period. */
  public Duration interval() {
    return interval;
  }

  /** {@code http=}: where to serve the HTTP endpoints, or null (off). */
  public HostPort http() {
    return http;
  }

  /** {@code jolokia=}: where to serve embedded Jolokia, or null (off). */
  public HostPort jolokia() {
    return jolokia;
  }

  /** {@code jmx=}: register the MXBeans. */
  public boolean jmx() {
    return jmx;
  }

  /** {@code jfr=}: emit the JFR events. */
  public boolean jfr() {
    return jfr;
  }

  /** {@code deferAccept=}: seconds of TCP_DEFER_ACCEPT to set on listeners; 0 = off. */
  public int deferAccept() {
    return deferAccept;
  }

  /** {@code servers=}: which instrumentations are on. */
  public Set<String> servers() {
    return servers;
  }

  /** The Barrel path these options select for the process {@code pid}. */
  public Path barrelPath(long pid, Path defaultPath) {
    if (file != null) {
      return file;
    }
    if (dir != null) {
      return dir.resolve(pid + ".barrel");
    }
    return defaultPath;
  }
}
