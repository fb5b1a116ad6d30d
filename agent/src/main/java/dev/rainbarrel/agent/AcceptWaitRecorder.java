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
 * itself, and a blocking {@code ServerSocket}'s accept its new {@code SocketImpl}, whose descriptor
 * is read from {@code SocketImpl.fd} ({@code java.net} and {@code java.io} opened the same way);
 * both: histogram only, no JFR event (the listener's address is not at hand).
 */
final class AcceptWaitRecorder implements Recorder.ConnectionObserver {
  private final MethodHandle fdVal;
  private final Class<?> selChImpl;
  /** {@code SocketImpl.fd} and {@code FileDescriptor.fd}: the descriptor of a blocking socket. */
  private final MethodHandle implFd;
  private final MethodHandle descriptorFd;
  private final LogLinearHistogram histogram;
  /**
   * Off until the JFR events are registered ({@link #jfrRegistered}): an accept that initialised the
   * event class while {@code FlightRecorder.register} held JFR's metadata lock and waited for that
   * same class's initialisation deadlocked the host's acceptor (the services start beside the host).
   */
  private volatile boolean jfr;
  private volatile boolean failed;

  private AcceptWaitRecorder(MethodHandle fdVal, Class<?> selChImpl, MethodHandle implFd, MethodHandle descriptorFd,
      LogLinearHistogram histogram) {
    this.fdVal = fdVal;
    this.selChImpl = selChImpl;
    this.implFd = implFd;
    this.descriptorFd = descriptorFd;
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
    Map<String, Set<Module>> opens = new java.util.HashMap<>();
    for (String pkg : new String[] {"sun.nio.ch", "java.net", "java.io"}) {
      if (!base.isOpen(pkg, self)) {
        opens.put(pkg, Set.of(self));
      }
    }
    if (!opens.isEmpty()) {
      inst.redefineModule(base, Set.of(), Map.of(), opens, Set.of(), Map.of());
    }
    Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
    MethodHandle h = MethodHandles.lookup().findVirtual(selCh, "getFDVal", MethodType.methodType(int.class));
    MethodHandle implFd = MethodHandles.privateLookupIn(java.net.SocketImpl.class, MethodHandles.lookup())
        .findGetter(java.net.SocketImpl.class, "fd", java.io.FileDescriptor.class);
    MethodHandle descriptorFd = MethodHandles.privateLookupIn(java.io.FileDescriptor.class, MethodHandles.lookup())
        .findGetter(java.io.FileDescriptor.class, "fd", int.class);
    // Link the FFM call here, beside the host's start, not on its first accepted connection
    // (where it delayed the first response by the time the JDK takes to spin the downcall).
    TcpInfo.warmUp();
    return new AcceptWaitRecorder(h, selCh, implFd, descriptorFd, barrel.histogram(StandardNames.ACCEPT_WAIT));
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
    if (ch == null && !(connection instanceof Integer) && !(connection instanceof java.net.SocketImpl)) {
      return;
    }
    try {
      int fd;
      if (ch != null) {
        fd = (int) fdVal.invoke(ch);
      } else if (connection instanceof java.net.SocketImpl si) { // a blocking ServerSocket's accept
        java.io.FileDescriptor d = (java.io.FileDescriptor) implFd.invoke(si);
        if (d == null) {
          return;
        }
        fd = (int) descriptorFd.invoke(d);
      } else {
        fd = (Integer) connection;
      }
      if (fd < 0) {
        return;
      }
      long waited = TcpInfo.ofFd(fd).lastDataRecv();
      histogram.record(waited);
      // a bare descriptor (Netty epoll) or a SocketImpl has no local address at hand: histogram only
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
