package dev.rainbarrel.jfr;

import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.StandardNames;
import dev.rainbarrel.watch.Watcher;
import dev.rainbarrel.watch.WatcherConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Plays the agent in a child JVM for the jcmd test: a Barrel with known counters, a loopback
 * listener that never accepts, a watcher over its own listeners and the JFR hooks. Prints {@code
 * READY <port>}, exits on {@code exit} or end of stdin.
 */
public final class JfrTestServer {
  public static void main(String[] args) throws Exception {
    Barrel barrel = Barrel.open(Path.of(args[0]));
    barrel.counter(StandardNames.REQUESTS).add(42);
    barrel.counter(StandardNames.ACCEPTED).add(40);
    barrel.gauge(StandardNames.CALLING).set(2);
    ServerSocket blocked = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
    Watcher watcher = Watcher.start(barrel, WatcherConfig.defaults().withInterval(Duration.ofMillis(100)));
    RainbarrelJfr.Registration jfr = RainbarrelJfr.register(barrel, watcher, List.of());
    System.out.println("READY " + blocked.getLocalPort() + " " + jfr.isActive());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.equals("exit")) {
      // wait
    }
    jfr.close();
    watcher.close();
    barrel.close();
    blocked.close();
  }
}
