package dev.rainbarrel.bench.agent;

import dev.rainbarrel.agent.Recorder;
import dev.rainbarrel.bootstrap.Bridge;
import dev.rainbarrel.bootstrap.InFlightSlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * What the agent's advice costs per request: the same {@link Bridge} calls, in the same order, as
 * the advice methods make, into the agent's real {@link Recorder} on a real Barrel file (the
 * {@code calling}/{@code writing} gauges, the {@code requests} and status-class counters and the
 * {@code request_duration} histogram). Targets (issue 4): at most 100 ns and 0 B/op with {@code
 * -prof gc}.
 *
 * <ul>
 *   <li>{@link #threadPerRequest}: a servlet container (Tomcat, Jetty 9.4-11): the servlet advice
 *       enters the outermost frame and starts tracking, the container's commit hook reports the
 *       headers, the exit advice leaves the frame and ends the request with its status.
 *   <li>{@link #eventDriven}: Netty: the decoder hook begins an event-driven request keyed by the
 *       channel ({@code calling} up until the commit), the encoder hook commits it and ends it on
 *       the last content.
 *   <li>{@link #threadPerRequest_2threads}: two server threads at once on their own requests (each
 *       writes its own per-thread cells, as server threads do; {@code accepted} alone is shared).
 *   <li>{@code ..._slotted...}: the same with a key that has the agent's in-flight slot field, as
 *       the key classes the agent loads have ({@link SlottedRequest}): found by reading that field,
 *       not by identity hash and a probe.
 * </ul>
 *
 * <p>The recorder is connected with {@link Bridge#install}, as the agent's installer does after
 * opening the Barrel; nothing here goes through a stand-in.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
public class HookPathBenchmark {

  /** One Barrel and one recorder per fork, installed into the bridge (only the first install wins). */
  @State(Scope.Benchmark)
  public static class Agent {
    Path dir;
    Recorder recorder;

    @Setup
    public void setUp() throws IOException {
      Path base = Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : "/tmp");
      dir = Files.createTempDirectory(base, "rb-hook-bench");
      recorder = Recorder.open(dir.resolve("hook.barrel"));
      if (!Bridge.install(recorder)) {
        throw new IllegalStateException("a recorder was already installed in this JVM");
      }
    }

    @TearDown
    public void tearDown() throws IOException {
      // the summed figures (base records plus every thread's cells), as readers show them
      long requests = recorder.barrel().counter("requests").sum();
      long calling = recorder.barrel().gauge("calling").sum();
      long writing = recorder.barrel().gauge("writing").sum();
      if (requests == 0 || calling != 0 || writing != 0 || Bridge.untracked() != 0) {
        throw new IllegalStateException("the hook path did not record as expected: requests=" + requests
            + " calling=" + calling + " writing=" + writing + " untracked=" + Bridge.untracked());
      }
      recorder.barrel().close();
      Files.deleteIfExists(dir.resolve("hook.barrel"));
      Files.deleteIfExists(dir);
    }
  }

  /** The server's own per-request objects: a request/response pair and a connection (one per thread). */
  @State(Scope.Thread)
  public static class Server {
    final Object request = new Object();
    final Object response = new Object();
    final Object channel = new Object();
    /** Jetty 9.4-11's recycled request with the agent's slot field. */
    final SlottedRequest slottedRequest = new SlottedRequest();
    /** Netty's connection channel ({@code NioSocketChannel}, {@code EpollSocketChannel}) with it. */
    final SlottedRequest slottedChannel = new SlottedRequest();
  }

  /** Servlet container: enter (outermost, tracked) → commit by the container → exit → end. */
  @Benchmark
  @Threads(1)
  public void threadPerRequest(Agent agent, Server server) {
    servletRequest(server);
  }

  @Benchmark
  @Threads(2)
  public void threadPerRequest_2threads(Agent agent, Server server) {
    servletRequest(server);
  }

  /** {@link #threadPerRequest} on a recycled request with the slot field (Jetty 9.4-11's shape). */
  @Benchmark
  @Threads(1)
  public void threadPerRequest_slottedRequest(Agent agent, Server server) {
    servletRequest(server.slottedRequest, server);
  }

  /**
   * Jetty 12's shape: a new request object per request (Jetty 12 does not recycle them), so the
   * in-flight table hashes an object it has never seen (its identity hash is installed now) at a
   * new slot each time. The request object itself (16 B/op) is the server's allocation, not ours.
   */
  @Benchmark
  @Threads(1)
  public void threadPerRequest_newRequestObject(Agent agent, Server server) {
    requestOn(new Object(), server);
  }

  /**
   * What the agent makes of a key class when the class is loaded after it (JDK {@code
   * ExchangeImpl}, Jetty 12's and Jetty 9.4-11's request, Undertow's exchange, Tomcat's request
   * facade, Netty's channels): an {@link InFlightSlot} with an int field, so the in-flight table
   * finds the request through the field instead of its identity hash.
   */
  static final class SlottedRequest implements InFlightSlot {
    private int slot;

    @Override
    public int rainbarrel$getSlot() {
      return slot;
    }

    @Override
    public void rainbarrel$setSlot(int slotPlusOne) {
      slot = slotPlusOne;
    }
  }

  /** {@link #threadPerRequest_newRequestObject} with the request class the agent loads. */
  @Benchmark
  @Threads(1)
  public void threadPerRequest_newSlottedRequestObject(Agent agent, Server server) {
    requestOn(new SlottedRequest(), server);
  }

  /** One thread-per-request request on a request object of its own (Jetty 12's shape). */
  private static void requestOn(Object request, Server server) {
    if (Bridge.currentRequest() != null) {
      throw new IllegalStateException("frame leaked");
    }
    Bridge.enter(request, server.response, true);
    Bridge.commit(request, 200);
    Bridge.exit();
    Bridge.end(request, 200, false);
  }

  /** Netty: decoded request begins (calling up) → response headers commit → last content ends it. */
  @Benchmark
  @Threads(1)
  public void eventDriven(Agent agent, Server server) {
    eventDrivenOn(server.channel);
  }

  /** {@link #eventDriven} on a channel with the slot field, as Netty's NIO and epoll channels get. */
  @Benchmark
  @Threads(1)
  public void eventDriven_slottedChannel(Agent agent, Server server) {
    eventDrivenOn(server.slottedChannel);
  }

  private static void eventDrivenOn(Object channel) {
    Bridge.beginAsync(channel);
    Bridge.commit(channel, 200);
    Bridge.end(channel, -1, false);
  }

  /** Breakdown: only the recorder's Barrel updates of one request (no bridge bookkeeping). */
  @Benchmark
  @Threads(1)
  public void recorderOnly(Agent agent) {
    Recorder r = agent.recorder;
    r.handlerEntered();
    r.committed();
    r.handlerExited();
    r.completed(200, false, true, 1234);
  }

  /** Breakdown: the two clock reads a request takes (start and end). */
  @Benchmark
  @Threads(1)
  public long twoClockReads() {
    return System.nanoTime() - System.nanoTime();
  }

  private static void servletRequest(Server server) {
    servletRequest(server.request, server);
  }

  private static void servletRequest(Object request, Server server) {
    if (Bridge.currentRequest() != null) { // the servlet advice's nesting check
      throw new IllegalStateException("frame leaked");
    }
    Bridge.enter(request, server.response, true);
    Bridge.commit(null, 200); // the container's commit hook: this thread's current request
    Object key = Bridge.exit();
    Bridge.end(key, 200, false);
  }
}
