package dev.rainbarrel.agent;

import dev.rainbarrel.jfr.RainbarrelJfr;
import dev.rainbarrel.net.TcpInfo;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.StandardNames;
import dev.rainbarrel.stats.LogLinearHistogram;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Set;

/**
 * raindrops' {@code LastDataRecv} for the JVM: for each accepted {@link SocketChannel}, reads
 * {@code TCP_INFO.last_data_recv} (ms since the peer's last data arrived) and records it in the
 * shared {@code accept_wait} histogram and, when a recording enables it, a {@code
 * rainbarrel.AcceptWait} JFR event. With {@code deferAccept} set on the listeners the kernel
 * queues a connection only once its request has arrived, so the figure is how long the request
 * waited before {@code accept()}.
 *
 * <p>Needs JDK 22+ (FFM {@code getsockopt}) on Linux. The descriptor comes from the JDK's own
 * {@code SelChImpl.getFDVal()}, reachable because the agent opens {@code sun.nio.ch} to itself
 * through {@link Instrumentation#redefineModule} — one {@code getsockopt} per accepted connection,
 * no scan of {@code /proc/self/fd}. Netty's native epoll accept hands over the new descriptor
 * itself (histogram only: no JFR event, the listener's address is not at hand). Blocking {@code
 * Socket}s are not measured.
 */
final class AcceptWaitRecorder implements Recorder.ConnectionObserver {
  private final MethodHandle fdVal;
  private final Class<?> selChImpl;
  private final LogLinearHistogram histogram;
  /**
   * Off until the JFR events are registered ({@link #jfrRegistered}): an accept that initialised the
   * event class while {@code FlightRecorder.register} held JFR's metadata lock and waited for that
   * same class's initialisation deadlocked the host's acceptor (the services start beside the host).
   */
  private volatile boolean jfr;
  private volatile boolean failed;

  private AcceptWaitRecorder(MethodHandle fdVal, Class<?> selChImpl, LogLinearHistogram histogram) {
    this.fdVal = fdVal;
    this.selChImpl = selChImpl;
    this.histogram = histogram;
  }

  /**
   * The recorder, or an {@link UnsupportedOperationException} whose message says why it cannot
   * work in this JVM (JDK before 22, no native access, module not openable).
   */
  static AcceptWaitRecorder create(Instrumentation inst, Barrel barrel) throws Exception {
    if (Runtime.version().feature() < 22) {
      throw new UnsupportedOperationException("accept_wait needs JDK 22+ (TCP_INFO through the FFM API); this is JDK "
          + Runtime.version().feature());
    }
    Module base = Object.class.getModule();
    Module self = AcceptWaitRecorder.class.getModule();
    if (!base.isOpen("sun.nio.ch", self)) {
      inst.redefineModule(base, Set.of(), Map.of(), Map.of("sun.nio.ch", Set.of(self)), Set.of(), Map.of());
    }
    Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
    MethodHandle h = MethodHandles.lookup().findVirtual(selCh, "getFDVal", MethodType.methodType(int.class));
    TcpInfo.knownFields(); // fail here, not per connection, if the class cannot load
    return new AcceptWaitRecorder(h, selCh, barrel.histogram(StandardNames.ACCEPT_WAIT));
  }

  /** Also emits the JFR event per connection, from now on; call after the events are registered. */
  void jfrRegistered() {
    jfr = true;
  }

  @Override
  public void accepted(Object connection) {
    if (failed) {
      return;
    }
    SocketChannel ch = connection instanceof SocketChannel c && selChImpl.isInstance(c) ? c : null;
    if (ch == null && !(connection instanceof Integer)) {
      return;
    }
    try {
      int fd = ch != null ? (int) fdVal.invoke(ch) : (Integer) connection;
      long waited = TcpInfo.ofFd(fd).lastDataRecv();
      histogram.record(waited);
      // a bare descriptor (Netty epoll) has no local address at hand: histogram only
      if (jfr && ch != null && ch.getLocalAddress() instanceof InetSocketAddress local) {
        RainbarrelJfr.acceptWait(format(local), waited);
      }
    } catch (Throwable t) {
      // a connection closed under us is normal; anything else turns this off, said once
      if (!(t instanceof java.io.IOException)) {
        failed = true;
        AgentLog.error("accept_wait turned off: " + t);
      }
    }
  }

  private static String format(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
