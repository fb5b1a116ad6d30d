package dev.rainbarrel.jmx;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server JVM with the MBeans registered and the JDK's out-of-the-box RMI connector on loopback;
 * this JVM connects exactly as JConsole does and checks what it reads against the traffic it made.
 * The test class path holds our classes, but every value read is checked to be an open type (what
 * a client without them gets).
 */
@Timeout(120)
class JmxRemoteTest {

  @TempDir Path dir;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void await(Check c, String what) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    Exception last = null;
    while (true) {
      try {
        if (c.ok()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what, last);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void jconsoleStyleClientSeesEverything() throws Exception {
    int jmxPort = freePort();
    List<String> jvm = List.of(
        "-Dcom.sun.management.jmxremote.port=" + jmxPort,
        "-Dcom.sun.management.jmxremote.authenticate=false",
        "-Dcom.sun.management.jmxremote.ssl=false",
        "-Dcom.sun.management.jmxremote.host=127.0.0.1",
        "-Djava.rmi.server.hostname=127.0.0.1",
        "-Xmx64m", "-XX:TieredStopAtLevel=1");
    List<Socket> clients = new ArrayList<>();
    try (ChildJvm child = new ChildJvm(jvm, JmxTestServer.class.getName(), dir.resolve("srv.barrel").toString())) {
      String[] ready = child.await("READY", 60).split(" ");
      int blockedPort = Integer.parseInt(ready[1]);
      int servingPort = Integer.parseInt(ready[2]);
      String blocked = "127.0.0.1:" + blockedPort;
      String serving = "127.0.0.1:" + servingPort;

      JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
      try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
        MBeanServerConnection c = connector.getMBeanServerConnection();

        // Traffic: three connections the child never accepts, five requests it serves.
        for (int i = 0; i < 3; i++) {
          clients.add(new Socket("127.0.0.1", blockedPort));
        }
        for (int i = 0; i < 5; i++) {
          try (Socket s = new Socket("127.0.0.1", servingPort)) {
            OutputStream out = s.getOutputStream();
            out.write(("req" + i + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertEquals("OK req" + i, reply);
          }
        }

        ObjectName blockedName = RainbarrelMBeans.listenerName(blocked);
        ObjectName servingName = RainbarrelMBeans.listenerName(serving);
        await(() -> c.isRegistered(blockedName) && c.isRegistered(servingName), "listener MBeans");
        Set<ObjectName> names = c.queryNames(new ObjectName("rainbarrel:*"), null);
        for (ObjectName expected : List.of(RainbarrelMBeans.agentName(), RainbarrelMBeans.countersName(),
            RainbarrelMBeans.histogramName("request_duration"), RainbarrelMBeans.histogramName("accept_wait"),
            RainbarrelMBeans.allocatorName("barrel_slots"), blockedName, servingName)) {
          assertTrue(names.contains(expected), expected + " in " + names);
        }
        assertEquals("rainbarrel:type=Listener,address=\"" + blocked + "\"", blockedName.toString());

        // Every attribute of every MBean reads without error, as open types, and is described.
        for (ObjectName n : names) {
          MBeanInfo info = c.getMBeanInfo(n);
          assertFalse(info.getDescription() == null || info.getDescription().isBlank(), n + " description");
          for (MBeanAttributeInfo a : info.getAttributes()) {
            Object v = c.getAttribute(n, a.getName());
            assertNotNull(v, n + " " + a.getName());
            assertOpen(v, n + "." + a.getName());
            assertFalse(a.getDescription() == null || a.getDescription().isBlank()
                || a.getDescription().equals(a.getName()), n + "." + a.getName() + " needs a description");
          }
          for (MBeanOperationInfo o : info.getOperations()) {
            assertFalse(o.getDescription() == null || o.getDescription().isBlank()
                || o.getDescription().equals(o.getName()), n + "." + o.getName() + "() needs a description");
          }
        }

        ObjectName counters = RainbarrelMBeans.countersName();
        await(() -> (Long) c.getAttribute(counters, "Requests") == 5L, "Requests = 5");
        assertEquals(5L, c.getAttribute(counters, "Accepted"));
        assertEquals(5L, c.getAttribute(counters, "Responses2xx"));
        assertEquals(0L, c.getAttribute(counters, "Responses5xx"));
        assertEquals(0L, c.getAttribute(counters, "Calling"));
        assertEquals(5L, c.getAttribute(RainbarrelMBeans.histogramName("request_duration"), "Count"));
        assertEquals(Boolean.FALSE, c.getAttribute(RainbarrelMBeans.histogramName("accept_wait"), "Present"));

        await(() -> (Long) c.getAttribute(blockedName, "Queued") == 3L, "Queued = 3 behind the blocked acceptor");
        assertEquals(0L, c.getAttribute(blockedName, "Active"));
        await(() -> ((CompositeData) c.getAttribute(blockedName, "QueuedStats")).get("max").equals(3L), "QueuedStats.max");
        CompositeData q = (CompositeData) c.getAttribute(blockedName, "QueuedStats");
        assertEquals(3L, q.get("current"));
        assertTrue((Long) q.get("count") >= 1);
        assertTrue(((long[]) q.get("log2Counts"))[1] > 0, "3 is in the [2,4) bucket");
        assertTrue(((String) c.getAttribute(blockedName, "QueuedHistogramText")).contains("Total"));

        ObjectName agent = RainbarrelMBeans.agentName();
        assertEquals((long) child.pid(), c.getAttribute(agent, "Pid"));
        assertTrue(((String) c.getAttribute(agent, "BarrelPath")).endsWith("srv.barrel"));
        assertEquals(Runtime.version().feature(), c.getAttribute(agent, "JdkFeature"));
        assertArrayEquals(new String[] {"test-server"}, (String[]) c.getAttribute(agent, "InstrumentedServers"));
        assertEquals(7L, c.getAttribute(agent, "UntrackedRequests"), "asked of the AgentInfo's supplier");
        assertEquals(100L, c.getAttribute(agent, "WatcherIntervalMillis"));
        assertTrue((Long) c.getAttribute(RainbarrelMBeans.allocatorName("barrel_slots"), "Used") >= 5);

        // reset() over JMX clears the aggregates.
        long beforeReset = System.currentTimeMillis();
        c.invoke(blockedName, "reset", null, null);
        CompositeData after = (CompositeData) c.getAttribute(blockedName, "QueuedStats");
        assertTrue((Long) after.get("count") <= 1, "count restarts: " + after);
        assertTrue((Long) after.get("lastResetMillis") >= beforeReset - 1000, "reset time moved: " + after);

        // A listener bound late appears; closed, it disappears.
        child.send("bind");
        String late = "127.0.0.1:" + child.await("BOUND", 10).split(" ")[1];
        ObjectName lateName = RainbarrelMBeans.listenerName(late);
        await(() -> c.isRegistered(lateName), "late listener MBean appears");
        child.send("unbind");
        child.await("UNBOUND", 10);
        await(() -> !c.isRegistered(lateName), "closed listener MBean disappears");
      }
    } finally {
      for (Socket s : clients) {
        s.close();
      }
    }
  }

  /** Values a client without our classes can hold. */
  private static void assertOpen(Object v, String what) {
    String cls = v.getClass().getName();
    assertFalse(cls.startsWith("dev.rainbarrel"), what + " is " + cls);
    if (v instanceof CompositeData) {
      for (Object item : ((CompositeData) v).values()) {
        assertOpen(item, what);
      }
    }
  }
}
