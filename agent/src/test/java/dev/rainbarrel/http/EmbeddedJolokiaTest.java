package dev.rainbarrel.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The embedded Jolokia over HTTP: reads work, write and exec are refused, except exec of a
 * Listener's reset when allowed. The MBeans are in-test stand-ins named as the contract names
 * rainbarrel's own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedJolokiaTest {

  /** Stand-in for rainbarrel's Counters MXBean. */
  public interface CountersMXBean {
    long getRequests();

    long getCalling();

    void setCalling(long v);
  }

  /** Stand-in for a rainbarrel Listener MXBean. */
  public interface ListenerMXBean {
    long getQueued();

    void reset();
  }

  static final AtomicLong REQUESTS = new AtomicLong(4242);
  static final AtomicInteger RESETS = new AtomicInteger();
  static final ObjectName COUNTERS = name("rainbarrel:type=Counters");
  static final ObjectName LISTENER = name("rainbarrel:type=Listener,address=\"127.0.0.1:8080\"");

  static ObjectName name(String n) {
    try {
      return new ObjectName(n);
    } catch (Exception e) {
      throw new IllegalArgumentException(n, e);
    }
  }

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void register() throws Exception {
    MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
    mbs.registerMBean(new CountersMXBean() {
      @Override
      public long getRequests() {
        return REQUESTS.get();
      }

      @Override
      public long getCalling() {
        return 0;
      }

      @Override
      public void setCalling(long v) {
        throw new AssertionError("write reached the MBean");
      }
    }, COUNTERS);
    mbs.registerMBean(new ListenerMXBean() {
      @Override
      public long getQueued() {
        return 3;
      }

      @Override
      public void reset() {
        RESETS.incrementAndGet();
      }
    }, LISTENER);
  }

  @AfterAll
  static void unregister() throws Exception {
    MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
    mbs.unregisterMBean(COUNTERS);
    mbs.unregisterMBean(LISTENER);
  }

  static String get(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  static String post(String url, String json) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  @Test
  void readOnlyByDefault() throws Exception {
    try (EmbeddedJolokia j = EmbeddedJolokia.start(new InetSocketAddress("127.0.0.1", 0), false)) {
      assertTrue(j.url().startsWith("http://127.0.0.1:"), j.url());
      String read = get(j.url() + "read/rainbarrel:type=Counters/Requests");
      assertTrue(read.contains("\"value\":4242") && read.contains("\"status\":200"), read);
      String version = get(j.url() + "version");
      assertTrue(version.contains("\"agent\":\"" + EmbeddedJolokia.JOLOKIA_VERSION + "\""), version);
      String search = get(j.url() + "search/rainbarrel:*");
      assertTrue(search.contains("rainbarrel:type=Counters"), search);

      int resetsBefore = RESETS.get();
      String gc = post(j.url(), "{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc\"}");
      assertTrue(gc.contains("\"status\":403"), gc);
      String gcGet = get(j.url() + "exec/java.lang:type=Memory/gc");
      assertTrue(gcGet.contains("\"status\":403"), gcGet);
      String write = post(j.url(),
          "{\"type\":\"write\",\"mbean\":\"rainbarrel:type=Counters\",\"attribute\":\"Calling\",\"value\":5}");
      assertTrue(write.contains("\"status\":403"), write);
      String reset = post(j.url(), "{\"type\":\"exec\",\"mbean\":\"" + LISTENER.toString().replace("\"", "\\\"")
          + "\",\"operation\":\"reset\"}");
      assertTrue(reset.contains("\"status\":403"), reset);
      assertEquals(resetsBefore, RESETS.get());
      assertFalse(read.contains("stacktrace"), read);
      for (ObjectName n : ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("jolokia:*"), null)) {
        assertEquals("rainbarrel-" + ProcessHandle.current().pid(), n.getKeyProperty("agent"), "Jolokia MBean " + n);
      }
      assertTrue(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().contains("jolokia"))
          .allMatch(Thread::isDaemon), "Jolokia threads must be daemons");
    }
  }

  @Test
  void resetCanBeAllowedAndNothingElse() throws Exception {
    try (EmbeddedJolokia j = EmbeddedJolokia.start(new InetSocketAddress("127.0.0.1", 0), true)) {
      int before = RESETS.get();
      String reset = post(j.url(), "{\"type\":\"exec\",\"mbean\":\"" + LISTENER.toString().replace("\"", "\\\"")
          + "\",\"operation\":\"reset\"}");
      assertTrue(reset.contains("\"status\":200"), reset);
      assertEquals(before + 1, RESETS.get());
      String gc = post(j.url(), "{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc\"}");
      assertTrue(gc.contains("\"status\":403"), gc);
      String write = post(j.url(),
          "{\"type\":\"write\",\"mbean\":\"rainbarrel:type=Counters\",\"attribute\":\"Calling\",\"value\":5}");
      assertTrue(write.contains("\"status\":403"), write);
    }
  }

  @Test
  void aTakenPortIsAClearError() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
          () -> EmbeddedJolokia.start(new InetSocketAddress("127.0.0.1", taken.getLocalPort()), false));
      assertTrue(e.getMessage().contains("cannot start Jolokia on"), e.getMessage());
    }
  }
}
