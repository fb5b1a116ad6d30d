package dev.rainbarrel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentOptionsTest {

  @TempDir Path tmp;

  @Test
  void defaultsMatchTheDesign() {
    AgentOptions o = AgentOptions.parse(null);
    assertTrue(o.problems().isEmpty());
    assertNull(o.file());
    assertNull(o.dir());
    assertEquals(List.of(), o.listeners());
    assertEquals(Duration.ofSeconds(1), o.interval());
    assertNull(o.http());
    assertNull(o.jolokia());
    assertTrue(o.jmx());
    assertTrue(o.jfr());
    assertEquals(0, o.deferAccept());
    assertEquals(AgentOptions.SERVERS, o.servers());
    assertEquals(Path.of("/d/1.barrel"), o.barrelPath(1, Path.of("/d/1.barrel")));
  }

  @Test
  void everyKeyParses() {
    AgentOptions o = AgentOptions.parse("file=/tmp/x.barrel,dir=/tmp/d,listeners=127.0.0.1:8080;[::1]:9090;/run/app.sock,"
        + "interval=250ms,http=9000,jolokia=0.0.0.0:8778,jmx=false,jfr=FALSE,deferAccept=5,servers=jdkhttp;netty");
    assertEquals(List.of(), o.problems());
    assertEquals(Path.of("/tmp/x.barrel"), o.file());
    assertEquals(Path.of("/tmp/d"), o.dir());
    assertEquals(List.of("127.0.0.1:8080", "[::1]:9090", "/run/app.sock"), o.listeners());
    assertEquals(Duration.ofMillis(250), o.interval());
    assertEquals(new AgentOptions.HostPort("127.0.0.1", 9000), o.http());
    assertEquals(new AgentOptions.HostPort("0.0.0.0", 8778), o.jolokia());
    assertFalse(o.jmx());
    assertFalse(o.jfr());
    assertEquals(5, o.deferAccept());
    assertEquals(Set.of("jdkhttp", "netty"), o.servers());
    assertEquals(Path.of("/tmp/x.barrel"), o.barrelPath(1, Path.of("/d/1.barrel")));
    assertEquals(Duration.ofMinutes(2), AgentOptions.parse("interval=2m").interval());
    assertEquals(new AgentOptions.HostPort("::1", 80), AgentOptions.parse("http=[::1]:80").http());
  }

  @Test
  void dirSelectsThePerPidFileThere() {
    AgentOptions o = AgentOptions.parse("dir=/tmp/d");
    assertEquals(Path.of("/tmp/d/42.barrel"), o.barrelPath(42, Path.of("/x/42.barrel")));
  }

  @Test
  void eachBadOptionIsOneLineNamingKeyAndValueAndKeepsItsDefault() {
    AgentOptions o = AgentOptions.parse("interval=0s,http=99999,jmx=yes,deferAccept=-1,foo=bar,justaword,"
        + "listeners=127.0.0.1:80;nonsense;1.2.3.4:0,servers=tomcat;weblogic,file=");
    List<String> p = o.problems();
    assertEquals(10, p.size(), p.toString());
    assertTrue(p.stream().anyMatch(l -> l.contains("option file: ''")), p.toString());
    assertTrue(p.get(0).contains("'justaword'"), p.get(0));
    assertTrue(p.stream().anyMatch(l -> l.contains("interval") && l.contains("'0s'") && l.contains("1s")), p.toString());
    assertTrue(p.stream().anyMatch(l -> l.contains("http") && l.contains("'99999'")), p.toString());
    assertTrue(p.stream().anyMatch(l -> l.contains("jmx") && l.contains("'yes'")), p.toString());
    assertTrue(p.stream().anyMatch(l -> l.contains("deferAccept") && l.contains("'-1'")), p.toString());
    assertTrue(p.stream().anyMatch(l -> l.contains("unknown option 'foo'")), p.toString());
    assertTrue(p.stream().anyMatch(l -> l.contains("'nonsense'")), p.toString());
    assertTrue(p.stream().anyMatch(l -> l.contains("'1.2.3.4:0'")), p.toString());
    assertTrue(p.stream().anyMatch(l -> l.contains("'weblogic'")), p.toString());
    assertTrue(p.stream().noneMatch(l -> l.contains("\n")));
    assertEquals(Duration.ofSeconds(1), o.interval());
    assertNull(o.http());
    assertTrue(o.jmx());
    assertEquals(0, o.deferAccept());
    assertEquals(List.of("127.0.0.1:80"), o.listeners());
    assertEquals(Set.of("tomcat"), o.servers());
  }

  @Test
  void configFileSuppliesKeysAndTheArgumentStringWins() throws Exception {
    Path cfg = tmp.resolve("agent.properties");
    Files.writeString(cfg, "interval=2s\njmx=false\nhttp=8081\nbogus=1\n");
    AgentOptions o = AgentOptions.parse("config=" + cfg + ",http=9091");
    assertEquals(Duration.ofSeconds(2), o.interval());
    assertFalse(o.jmx());
    assertEquals(9091, o.http().port());
    assertEquals(1, o.problems().size(), o.problems().toString());
    assertTrue(o.problems().get(0).contains("unknown option 'bogus'"));
  }

  @Test
  void unreadableConfigFileIsOneLineAndTheRestApplies() {
    AgentOptions o = AgentOptions.parse("config=" + tmp.resolve("missing.properties") + ",jfr=false");
    assertEquals(1, o.problems().size(), o.problems().toString());
    assertTrue(o.problems().get(0).contains("missing.properties"));
    assertFalse(o.jfr());
  }

  @Test
  void serversWithNoKnownNameKeepsTheDefaultInsteadOfSwitchingEveryHookOff() {
    AgentOptions typo = AgentOptions.parse("servers=jety");
    assertEquals(AgentOptions.SERVERS, typo.servers());
    assertEquals(1, typo.problems().size(), typo.problems().toString());
    assertTrue(typo.problems().get(0).contains("'jety'") && typo.problems().get(0).endsWith("no known server left, so all"),
        typo.problems().get(0));
    AgentOptions empty = AgentOptions.parse("servers=");
    assertEquals(AgentOptions.SERVERS, empty.servers());
    assertEquals(1, empty.problems().size(), empty.problems().toString());
    assertTrue(empty.problems().get(0).contains("option servers: ''"), empty.problems().get(0));
    AgentOptions partly = AgentOptions.parse("servers=jetty;weblogic");
    assertEquals(Set.of("jetty"), partly.servers());
    assertTrue(partly.problems().get(0).endsWith("; ignored"), partly.problems().toString());
  }

  @Test
  void serversNoneSwitchesEveryHookOff() {
    assertEquals(Set.of(), AgentOptions.parse("servers=none").servers());
    assertEquals(AgentOptions.SERVERS, AgentOptions.parse("servers=all").servers());
  }
}
