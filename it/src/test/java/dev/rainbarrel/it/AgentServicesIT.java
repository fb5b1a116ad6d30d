package dev.rainbarrel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.it.apps.JdkHttpApp;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The agent's own services, started by {@code -javaagent} alone on an unmodified server: the
 * watcher finds the listener, the HTTP endpoints serve the agent's figures without counting
 * themselves, and the MXBeans answer over the RMI connector as JConsole uses it.
 */
class AgentServicesIT {
  @TempDir Path tmp;

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A host that opens its listener first thing waits at the agent's start gate until the hooks are
   * in, in the middle of loading the JDK's listener class, which the agent's own endpoint needs as
   * well. The gate now opens before the endpoint starts; before, each waited for the other until the
   * gate gave up after 30 s with a line on stderr.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void anEndpointDoesNotHoldBackAHostThatListensAtOnce(Jdk jdk) throws Exception {
    Path file = tmp.resolve("early.barrel");
    int http = freePort();
    long t0 = System.nanoTime();
    try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, "file=" + file + ",http=127.0.0.1:" + http, List.of())) {
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(s.agentLines().isEmpty(), "the host listened after " + millis + " ms: " + s.agentLines());
      assertEquals(200, RawHttp.status(s.port(), "/ok"));
      assertEquals(1, new Counters(file).await(m -> m.getOrDefault("requests", 0L) >= 1, 10_000).get("requests"));
      assertEquals(200, awaitEndpoint(http), "/_raindrops on the agent's endpoint");
    }
  }

  /**
   * The status of {@code /_raindrops} once the agent's endpoint listens (bounded: 20 s). It starts
   * right after the hooks, so with a host quick to listen it comes up just after the host's port.
   */
  private static int awaitEndpoint(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        return get(port, "/_raindrops").statusCode();
      } catch (java.net.ConnectException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
        Thread.sleep(100);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void endpointsAndMBeansComeUpWithTheAgentAndDoNotCountThemselves(Jdk jdk) throws Exception {
    Path file = tmp.resolve("services.barrel");
    int http = freePort();
    int jmx = freePort();
    String args = "file=" + file + ",interval=100ms,http=127.0.0.1:" + http;
    List<String> jvm = List.of("-Dcom.sun.management.jmxremote.port=" + jmx,
        "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
        "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1");
    long before = System.currentTimeMillis();
    try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, args, jvm)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(200, RawHttp.status(s.port(), "/ok"));
      }
      Counters c = new Counters(file);
      c.await(m -> m.getOrDefault("requests", 0L) >= 3, 10_000);
      String listener = "127.0.0.1:" + s.port();
      awaitEndpoint(http);

      // /_raindrops: raindrops' text, with the listener the watcher discovered on its own
      String text = "";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      String idle = listener + " active: 0\n" + listener + " queued: 0\n";
      while (!text.contains(idle) && System.nanoTime() < deadline) {
        text = get(http, "/_raindrops").body();
        Thread.sleep(100);
      }
      assertTrue(text.startsWith("calling: 0\nwriting: 0\n"), text);
      assertTrue(text.contains(idle), text);

      HttpResponse<String> metrics = get(http, "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("rainbarrel_requests_total 3\n"), metrics.body());
      HttpResponse<String> json = get(http, "/stats.json");
      assertTrue(json.body().contains("\"requests\":3"), json.body());
      HttpResponse<String> queued = get(http, "/queued/" + listener + ".txt");
      assertEquals(200, queued.statusCode(), queued.body());
      assertTrue(queued.headers().firstValue("X-Count").isPresent(), queued.headers().toString());

      // The endpoint requests above were served by the agent's own threads: not application traffic,
      // neither their requests nor their connections, and its port is not one of the host's listeners.
      Thread.sleep(300);
      assertEquals(3, c.get("requests"), "the agent's endpoints are not counted");
      assertEquals(3, c.get("accepted"), "connections to the agent's endpoint are not counted");
      text = get(http, "/_raindrops").body();
      assertTrue(!text.contains(":" + http + " "), "the agent's endpoint is not a discovered listener: " + text);

      try (JMXConnector conn = JMXConnectorFactory.connect(
          new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmx + "/jmxrmi"))) {
        MBeanServerConnection mbs = conn.getMBeanServerConnection();
        assertEquals(3L, mbs.getAttribute(new ObjectName("rainbarrel:type=Counters"), "Requests"));
        ObjectName agent = new ObjectName("rainbarrel:type=Agent");
        assertEquals(file.toString(), mbs.getAttribute(agent, "BarrelPath"));
        assertTrue(((String[]) mbs.getAttribute(agent, "InstrumentedServers")).length > 0);
        assertEquals(0L, mbs.getAttribute(agent, "UntrackedRequests"), "every request found a slot");
        assertAgentInfo(jdk, mbs, agent, file, http, before);
        Set<ObjectName> listeners = mbs.queryNames(new ObjectName("rainbarrel:type=Listener,*"), null);
        assertTrue(listeners.contains(new ObjectName("rainbarrel:type=Listener,address=" + ObjectName.quote(listener))),
            listeners.toString());
        CompositeData stats = (CompositeData) mbs.getAttribute(
            new ObjectName("rainbarrel:type=Listener,address=" + ObjectName.quote(listener)), "QueuedStats");
        assertNotNull(stats);
        assertTrue(((Number) stats.get("count")).longValue() > 0, stats.toString());
      }
    }
  }

  /** The shipped jar's CLI names this build's version (the manifest's Implementation-Version). */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void cliVersionIsTheProjectVersion(Jdk jdk) throws Exception {
    String version = System.getProperty("rainbarrel.version");
    assertNotNull(version, "failsafe passes the project version as rainbarrel.version");
    Process p = new ProcessBuilder(jdk.java().toString(), "-jar", System.getProperty("rainbarrel.agent.jar"),
        "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    assertEquals("rainbarrel " + version, out.strip());
  }

  /**
   * The Agent MXBean's descriptive attributes with values: the version of this build (not the
   * "dev" of a jar without Implementation-Version), the options as the agent understood them, a
   * start time inside the test's window, and the features with their reasons: accept_wait and
   * TCP_INFO need JDK 22+ and say so on 17, and are active on 25; netlink is active on both, on 17
   * through the JNI library (loaded from the agent jar), which on 25 is not needed.
   */
  @SuppressWarnings("unchecked")
  private static void assertAgentInfo(Jdk jdk, MBeanServerConnection mbs, ObjectName agent, Path file,
      int http, long before) throws Exception {
    String version = System.getProperty("rainbarrel.version");
    assertNotNull(version, "failsafe passes the project version as rainbarrel.version");
    assertEquals(version, mbs.getAttribute(agent, "Version"));

    long start = (Long) mbs.getAttribute(agent, "StartTimeMillis");
    long now = System.currentTimeMillis();
    assertTrue(start >= before && start <= now, before + " <= " + start + " <= " + now);
    assertEquals(java.time.Instant.ofEpochMilli(start).toString(), mbs.getAttribute(agent, "StartTime"));

    Map<String, String> options = tabular((TabularData) mbs.getAttribute(agent, "Options"));
    assertEquals(file.toString(), options.get("file"), options.toString());
    assertEquals("100ms", options.get("interval"), options.toString());
    assertEquals("127.0.0.1:" + http, options.get("http"), options.toString());
    assertEquals("true", options.get("jmx"), options.toString());
    assertEquals("true", options.get("jfr"), options.toString());
    assertEquals("", options.get("listeners"), options.toString());

    Map<String, String> features = tabular((TabularData) mbs.getAttribute(agent, "NativeFeatures"));
    assertEquals("active, every 100 ms", features.get("watcher"), features.toString());
    if (jdk == Jdk.JDK17) {
      String aw = features.get("accept_wait");
      assertTrue(aw != null && aw.startsWith("off: ") && aw.contains("JDK 22+") && aw.contains("JDK 17"),
          features.toString());
      String tcpInfo = features.get("tcp_info");
      assertTrue(tcpInfo != null && tcpInfo.startsWith("not available: ")
          && tcpInfo.contains("JDK 22+") && tcpInfo.contains("JDK 17"), "tcp_info: " + features);
      // the JNI library, shaded into the agent jar and loaded from it in the server's JVM, gives
      // the watcher its netlink socket
      assertEquals("active (JNI library, JDK 17-21)", features.get("netlink"), features.toString());
      String jni = features.get("netlink_jni");
      assertTrue(jni != null && jni.startsWith("active"), "netlink_jni: " + features);
    } else {
      String jni = features.get("netlink_jni");
      assertTrue(jni != null && jni.startsWith("not used: ") && jni.contains("JDK 22+"),
          "netlink_jni: " + features);
      assertEquals("active", features.get("accept_wait"), features.toString());
      assertEquals("active (JDK 22+ FFM)", features.get("netlink"), features.toString());
      assertEquals("available", features.get("tcp_info"), features.toString());
    }
  }

  /** An MXBean Map<String,String> (a TabularData of key/value rows) as a map. */
  private static Map<String, String> tabular(TabularData t) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (Object row : t.values()) {
      CompositeData c = (CompositeData) row;
      m.put((String) c.get("key"), (String) c.get("value"));
    }
    return m;
  }

  /**
   * {@code jmx=false} and {@code jfr=false} each turn their side off while the counting goes on:
   * with them, the JDK's own JMX connector shows no {@code rainbarrel:*} MBean and a recording made
   * with {@code jcmd} holds no {@code rainbarrel.*} event type; the same child with the defaults,
   * the control, shows both (so the checks can see what they look for). The agent's endpoint starts
   * after the MBean and JFR registrations: once it answers, they have been passed or skipped.
   */
  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void jmxFalseAndJfrFalseTurnEachSideOff(Jdk jdk) throws Exception {
    for (boolean on : new boolean[] {false, true}) {
      String what = on ? "defaults" : "jmx=false,jfr=false";
      Path file = tmp.resolve(on ? "on.barrel" : "off.barrel");
      int http = freePort();
      int jmx = freePort();
      String args = "file=" + file + ",interval=100ms,http=127.0.0.1:" + http + (on ? "" : ",jmx=false,jfr=false");
      List<String> jvm = List.of("-Dcom.sun.management.jmxremote.port=" + jmx,
          "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
          "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1");
      try (ChildServer s = ChildServer.start(jdk, JdkHttpApp.class, args, jvm)) {
        for (int i = 0; i < 2; i++) {
          assertEquals(200, RawHttp.status(s.port(), "/ok"));
        }
        Counters c = new Counters(file);
        assertEquals(2, c.await(m -> m.getOrDefault("requests", 0L) >= 2, 10_000).get("requests"), what);
        assertEquals(200, awaitEndpoint(http), what + ": /_raindrops on the agent's endpoint");
        assertTrue(s.agentLines().isEmpty(), what + ": " + s.agentLines());

        try (JMXConnector conn = JMXConnectorFactory.connect(
            new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmx + "/jmxrmi"))) {
          MBeanServerConnection mbs = conn.getMBeanServerConnection();
          ObjectName counters = new ObjectName("rainbarrel:type=Counters");
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(on ? 20 : 1);
          while (!mbs.isRegistered(counters) && System.nanoTime() < deadline) {
            Thread.sleep(100);
          }
          Set<ObjectName> ours = mbs.queryNames(new ObjectName("rainbarrel:*"), null);
          assertTrue(mbs.isRegistered(new ObjectName("java.lang:type=Runtime")), what + ": the JDK's own beans");
          if (on) {
            assertEquals(2L, mbs.getAttribute(counters, "Requests"), what);
            assertTrue(ours.contains(new ObjectName("rainbarrel:type=Agent")), what + ": " + ours);
          } else {
            assertEquals(Set.of(), ours, what);
          }
        }

        Set<String> types = recordedRainbarrelTypes(jdk, s.pid(), tmp.resolve(on ? "on.jfr" : "off.jfr"));
        if (on) {
          assertTrue(types.contains("rainbarrel.Counters") && types.contains("rainbarrel.ListenQueue"),
              what + ": " + types);
        } else {
          assertEquals(Set.of(), types, what);
        }
      }
    }
  }

  /**
   * The {@code rainbarrel.*} event types in the metadata of a recording made of the child with the
   * child JDK's {@code jcmd} (JFR.start, about 1.5 s, JFR.dump, JFR.stop); a Counters event, if
   * any, must carry the child's two requests.
   */
  private static Set<String> recordedRainbarrelTypes(Jdk jdk, long pid, Path out) throws Exception {
    String jcmd = jdk.java().getParent().resolve("jcmd").toString();
    String p = Long.toString(pid);
    jcmd(jcmd, p, "JFR.start", "name=rb");
    Thread.sleep(1500);
    jcmd(jcmd, p, "JFR.dump", "name=rb", "filename=" + out);
    jcmd(jcmd, p, "JFR.stop", "name=rb");
    assertTrue(Files.size(out) > 0, out.toString());
    Set<String> types;
    try (RecordingFile r = new RecordingFile(out)) {
      types = r.readEventTypes().stream().map(EventType::getName).filter(n -> n.startsWith("rainbarrel."))
          .collect(Collectors.toSet());
    }
    for (RecordedEvent e : RecordingFile.readAllEvents(out)) {
      if (e.getEventType().getName().equals("rainbarrel.Counters")) {
        assertEquals(2, e.getLong("requests"), e.toString());
      }
    }
    return types;
  }

  private static void jcmd(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish in 60 s");
    }
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + text);
  }
}
