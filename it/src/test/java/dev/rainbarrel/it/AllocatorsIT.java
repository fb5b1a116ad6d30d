package dev.rainbarrel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.alloc.AllocatorGauges;
import dev.rainbarrel.it.apps.AllocatorApp;
import dev.rainbarrel.shm.Barrel;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Arenas an application opens - with the class path's rainbarrel-core and with its own copy in a
 * child-first loader - show up as the agent's MXBeans and in {@code stat --json} of another
 * process, without the application handing anything to the agent.
 */
class AllocatorsIT {
  @TempDir Path tmp;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @ParameterizedTest
  @EnumSource(Jdk.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void applicationArenasAppearInJmxAndStat(Jdk jdk) throws Exception {
    Path file = tmp.resolve("alloc.barrel");
    int jmx = freePort();
    Path arenaFile = tmp.resolve("direct.arena");
    List<String> jvm = List.of("-Dallocator.app.arena=" + arenaFile, "-Dcom.sun.management.jmxremote.port=" + jmx,
        "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
        "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1");
    try (ChildServer s = ChildServer.start(jdk, AllocatorApp.class.getName(),
        ChildServer.childClassPath(), "file=" + file + ",interval=100ms", jvm)) {
      // stat reads the child's Barrel: wait for the agent's publisher to have written both
      Map<String, Map<String, Long>> published = Map.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline
          && !(published.containsKey("arena:direct.arena") && published.containsKey("webapp-arena")
              // a gauge registered in the middle of a publishing round reads 0 until it is set
              && published.get("arena:direct.arena").get("allocations") == 2
              && published.get("webapp-arena").get("used") >= 3000)) {
        Thread.sleep(100);
        try (Barrel b = Barrel.openReadOnly(file)) {
          published = AllocatorGauges.read(b);
        } catch (IOException notYet) {
          // the agent has not created the file yet
        }
      }
      assertEquals(2L, published.get("arena:direct.arena").get("allocations"), published + " " + s.stderr());
      assertTrue(published.get("webapp-arena").get("used") >= 3000, published.toString());

      Process stat = new ProcessBuilder(jdk.java().toString(), "-jar", ChildServer.agentJar().toString(),
          "stat", "--json", file.toString()).redirectErrorStream(true).start();
      String json = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(stat.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, stat.exitValue(), json);
      assertTrue(json.contains("\"allocators\":{\"barrel_slots\":{"), json);
      assertTrue(json.contains("\"arena:direct.arena\":{\"capacity\":"), json);
      assertTrue(json.contains("\"webapp-arena\":{\"capacity\":"), json);

      try (JMXConnector conn = JMXConnectorFactory.connect(
          new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmx + "/jmxrmi"))) {
        MBeanServerConnection mbs = conn.getMBeanServerConnection();
        ObjectName direct = new ObjectName("rainbarrel:type=Allocator,name=\"arena:direct.arena\"");
        ObjectName webapp = new ObjectName("rainbarrel:type=Allocator,name=webapp-arena");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(mbs.isRegistered(direct) && mbs.isRegistered(webapp)) && System.nanoTime() < until) {
          Thread.sleep(100); // the agent registers once the JMX agent's server exists
        }
        assertEquals(2L, mbs.getAttribute(direct, "Allocations"), mbs.queryNames(null, null).toString());
        assertTrue((Long) mbs.getAttribute(webapp, "Used") >= 3000);
        assertTrue((Long) mbs.getAttribute(webapp, "Capacity") > 0);
      }
    }
  }
}
