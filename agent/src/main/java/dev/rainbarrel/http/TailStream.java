package dev.rainbarrel.http;

import dev.rainbarrel.net.ListenerStats;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@code /tail/<addr>.txt} client's feed: the watcher thread hands each sample of the address
 * that passes the thresholds to {@link #sampled}, which never blocks (a full queue drops its
 * oldest line, so a slow client loses lines instead of slowing the watcher); the endpoint thread
 * takes lines with {@link #next}.
 *
 * <p>Line format, as raindrops' Watcher tail prints it: {@code "%20s % Ns % 10u % 10u\n"} of
 * (ISO 8601 time, address, active, queued), {@code N} = the address length capped at 35.
 */
final class TailStream implements EndpointSources.SampleListener {
  static final int QUEUE_LINES = 32;

  private final String address;
  private final long activeMin;
  private final long queuedMin;
  private final String format;
  private final ArrayBlockingQueue<String> lines = new ArrayBlockingQueue<>(QUEUE_LINES);

  TailStream(String address, long activeMin, long queuedMin) {
    this.address = address;
    this.activeMin = activeMin;
    this.queuedMin = queuedMin;
    this.format = "%20s %" + Math.min(address.length(), 35) + "s % 10d % 10d\n";
  }

  static String line(String format, long epochMillis, String address, long active, long queued) {
    return String.format(Locale.ROOT, format, TextFormats.iso8601(epochMillis), address, active, queued);
  }

  String format() {
    return format;
  }

  @Override
  public void sampled(long epochMillis, Map<String, ListenerStats> stats) {
    ListenerStats s = stats.get(address);
    if (s == null || s.queued() < queuedMin || s.active() < activeMin) {
      return;
    }
    String l = line(format, epochMillis, address, s.active(), s.queued());
    while (!lines.offer(l)) {
      lines.poll();
    }
  }

  /** The next line, or null when none arrived within {@code timeoutMillis}. */
  byte[] next(long timeoutMillis) throws InterruptedException {
    String l = lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    return l == null ? null : l.getBytes(StandardCharsets.US_ASCII);
  }
}
