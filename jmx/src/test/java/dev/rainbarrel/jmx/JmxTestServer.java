package dev.rainbarrel.jmx;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.StandardNames;
import dev.rainbarrel.stats.LogLinearHistogram;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Plays the agent in a child JVM: opens a Barrel, serves a one-line protocol on one loopback
 * listener (counting like the instrumentation would), never accepts on another, watches its own
 * listeners and registers the MBeans. Prints {@code READY <blockedPort> <servingPort>}; stdin
 * commands {@code bind} / {@code unbind} open and close a late listener, {@code exit} stops.
 */
public final class JmxTestServer {
  public static void main(String[] args) throws Exception {
    Barrel barrel = Barrel.open(Path.of(args[0]));
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    ServerSocket blocked = new ServerSocket(0, 16, lo);
    ServerSocket serving = new ServerSocket(0, 16, lo);
    LogLinearHistogram duration = barrel.histogram(StandardNames.REQUEST_DURATION);
    Thread server = new Thread(() -> {
      while (true) {
        try (Socket s = serving.accept()) {
          barrel.counter(StandardNames.ACCEPTED).increment();
          long t0 = System.nanoTime();
          barrel.gauge(StandardNames.CALLING).increment();
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
          String line = in.readLine();
          OutputStream out = s.getOutputStream();
          out.write(("OK " + line + "\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          barrel.gauge(StandardNames.CALLING).decrement();
          barrel.counter(StandardNames.REQUESTS).increment();
          barrel.counter(StandardNames.RESPONSES.get(1)).increment();
          duration.record((System.nanoTime() - t0) / 1000);
        } catch (Exception e) {
          if (serving.isClosed()) {
            return;
          }
        }
      }
    }, "test-server");
    server.setDaemon(true);
    server.start();
    Watcher watcher = Watcher.start(barrel, WatcherConfig.defaults().withInterval(Duration.ofMillis(100)));
    RainbarrelMBeans.Registration jmx = RainbarrelMBeans.register(barrel, watcher,
        AgentInfo.builder().options(Map.of("interval", "100ms")).instrumentedServers(() -> List.of("test-server")).untrackedRequests(() -> 7)
            .build(), List.of());
    System.out.println("READY " + blocked.getLocalPort() + " " + serving.getLocalPort());
    System.out.flush();
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    ServerSocket late = null;
    String cmd;
    while ((cmd = stdin.readLine()) != null) {
      if (cmd.equals("bind")) {
        late = new ServerSocket(0, 4, lo);
        System.out.println("BOUND " + late.getLocalPort());
      } else if (cmd.equals("unbind") && late != null) {
        late.close();
        System.out.println("UNBOUND");
      } else if (cmd.equals("exit")) {
        break;
      }
      System.out.flush();
    }
    jmx.close();
    watcher.close();
    barrel.close();
    blocked.close();
    serving.close();
  }
}
