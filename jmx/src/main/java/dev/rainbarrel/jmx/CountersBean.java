package dev.rainbarrel.jmx;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.BarrelEntry;
import dev.rainbarrel.shm.StandardNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link CountersMXBean} reading the Barrel without registering anything: absent names read 0, so
 * a library user who never created {@code errors} does not get it created by a JMX client.
 */
final class CountersBean implements CountersMXBean {
  private final Barrel barrel;

  CountersBean(Barrel barrel) {
    this.barrel = barrel;
  }

  private long value(String name) {
    try {
      for (BarrelEntry e : barrel.entries()) {
        if (e.name().equals(name) && e.label().isEmpty()) {
          return e.value();
        }
      }
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(barrel.path() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long getCalling() {
    return value(StandardNames.CALLING);
  }

  @Override
  public long getWriting() {
    return value(StandardNames.WRITING);
  }

  @Override
  public long getRequests() {
    return value(StandardNames.REQUESTS);
  }

  @Override
  public long getAccepted() {
    return value(StandardNames.ACCEPTED);
  }

  @Override
  public long getErrors() {
    return value(StandardNames.ERRORS);
  }

  @Override
  public long getResponses1xx() {
    return value(StandardNames.RESPONSES.get(0));
  }

  @Override
  public long getResponses2xx() {
    return value(StandardNames.RESPONSES.get(1));
  }

  @Override
  public long getResponses3xx() {
    return value(StandardNames.RESPONSES.get(2));
  }

  @Override
  public long getResponses4xx() {
    return value(StandardNames.RESPONSES.get(3));
  }

  @Override
  public long getResponses5xx() {
    return value(StandardNames.RESPONSES.get(4));
  }

  @Override
  public long getListenOverflows() {
    return value(StandardNames.LISTEN_OVERFLOWS);
  }

  @Override
  public long getListenDrops() {
    return value(StandardNames.LISTEN_DROPS);
  }

  @Override
  public Map<String, Long> getAll() {
    Map<String, Long> m = new TreeMap<>();
    try {
      for (BarrelEntry e : barrel.entries()) {
        if (e.label().isEmpty()) {
          m.put(e.name(), e.value());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(barrel.path() + ": " + e.getMessage(), e);
    }
    return m;
  }
}
