package dev.rainbarrel.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns Unix socket rows into per-listener numbers with raindrops' rules: a listening socket makes
 * its path known (and, from netlink, gives the backlog); a non-listening socket bound to the same
 * path counts as {@code queued} while it is an embryo in the accept queue (St 2,
 * {@code SS_CONNECTING}) and as {@code active} once accepted (St 3, {@code SS_CONNECTED}).
 *
 * <p>A requested path that is a symlink is resolved; rows bound to the link or to its target both
 * count, and the result carries both keys. Abstract names are written {@code @name}, as {@code
 * /proc/net/unix} prints them. Not thread-safe; reused across samples.
 */
final class UnixTally implements ProcNetReader.UnixRowSink {

  /** {@code socket_state} values printed in the St column of {@code /proc/net/unix}. */
  static final int SS_CONNECTING = 2;

  static final int SS_CONNECTED = 3;

  private final List<String> keys = new ArrayList<>();
  private final List<byte[]> names = new ArrayList<>();
  private final List<byte[]> altNames = new ArrayList<>();
  private final List<String> altKeys = new ArrayList<>();
  private long[] active = new long[0];
  private long[] queued = new long[0];
  private long[] backlog = new long[0];
  private int[] listeners = new int[0];
  private boolean allMode;
  private boolean backlogKnown;
  private final Map<String, long[]> all = new LinkedHashMap<>();

  void startQuery(List<ListenAddress> unix, boolean backlogKnown) {
    allMode = false;
    this.backlogKnown = backlogKnown;
    keys.clear();
    names.clear();
    altNames.clear();
    altKeys.clear();
    int n = unix.size();
    if (active.length < n) {
      active = new long[n];
      queued = new long[n];
      backlog = new long[n];
      listeners = new int[n];
    }
    for (int i = 0; i < n; i++) {
      String p = unix.get(i).path();
      keys.add(p);
      names.add(p.getBytes(StandardCharsets.UTF_8));
      String real = resolve(p);
      altKeys.add(real);
      altNames.add(real == null ? null : real.getBytes(StandardCharsets.UTF_8));
      active[i] = 0;
      queued[i] = 0;
      backlog[i] = 0;
      listeners[i] = 0;
    }
  }

  /** The real path when {@code p} is a file-system path whose resolution differs, else null. */
  static String resolve(String p) {
    if (!p.startsWith("/")) {
      return null;
    }
    try {
      Path path = Path.of(p);
      if (!Files.exists(path)) {
        return null;
      }
      String real = path.toRealPath().toString();
      return real.equals(p) ? null : real;
    } catch (IOException | RuntimeException e) {
      return null; // unreadable or vanished: match the path as written
    }
  }

  void startAll(boolean backlogKnown) {
    allMode = true;
    this.backlogKnown = backlogKnown;
    all.clear();
  }

  /**
   * Feeds one socket row whose bound name is {@code buf[off, off+len)} (abstract names begin with
   * '@'). {@code state} is the St column ({@code SS_*}); for netlink rows the caller maps its
   * states onto the same values.
   */
  @Override
  public void row(
      byte[] buf, int off, int len, boolean listening, int state, long rq, long wq, long inode) {
    if (len == 0) {
      return;
    }
    if (allMode) {
      if (!listening && state != SS_CONNECTING && state != SS_CONNECTED) {
        return;
      }
      String key = new String(buf, off, len, StandardCharsets.UTF_8);
      long[] c = all.computeIfAbsent(key, k -> new long[4]);
      add(c, listening, state, rq, wq);
      return;
    }
    for (int i = 0; i < keys.size(); i++) {
      byte[] n = names.get(i);
      byte[] alt = altNames.get(i);
      boolean hit = Arrays.equals(buf, off, off + len, n, 0, n.length);
      if (!hit && alt != null) {
        hit = Arrays.equals(buf, off, off + len, alt, 0, alt.length);
      }
      if (hit) {
        if (listening) {
          listeners[i]++;
          queued[i] += rq;
          backlog[i] += wq;
        } else if (state == SS_CONNECTING) {
          queued[i]++;
        } else if (state == SS_CONNECTED) {
          active[i]++;
        }
      }
    }
  }

  private static void add(long[] c, boolean listening, int state, long rq, long wq) {
    if (listening) {
      c[3]++;
      c[1] += rq;
      c[2] += wq;
    } else if (state == SS_CONNECTING) {
      c[1]++;
    } else if (state == SS_CONNECTED) {
      c[0]++;
    }
  }

  void putQueryResults(Map<String, ListenerStats> out) {
    for (int i = 0; i < keys.size(); i++) {
      long b = backlogKnown || listeners[i] == 0 ? backlog[i] : ListenerStats.UNKNOWN;
      ListenerStats s = new ListenerStats(active[i], queued[i], b, listeners[i]);
      out.put(keys.get(i), s);
      if (altKeys.get(i) != null) {
        out.put(altKeys.get(i), s);
      }
    }
  }

  void putAllResults(Map<String, ListenerStats> out) {
    for (Map.Entry<String, long[]> e : all.entrySet()) {
      long[] c = e.getValue();
      if (c[3] > 0) {
        long b = backlogKnown ? c[2] : ListenerStats.UNKNOWN;
        out.put(e.getKey(), new ListenerStats(c[0], c[1], b, (int) c[3]));
      }
    }
  }
}
