package dev.rainbarrel.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds back the host's first listening socket until the hooks are installed, so that the hook
 * installation can run beside the host's {@code main} and still no connection or request is missed.
 *
 * <p>A plain {@link ClassFileTransformer} (registered at premain, where every
 * millisecond counts) that waits, on the thread that loads one of the listener classes below, until
 * {@link #open()} is called. A server cannot accept a connection before it has loaded its listener
 * class, and classes loaded before the hooks were installed are retransformed by the installation.
 * The gate is registered as retransformation-incapable: the JVM calls such transformers before the
 * retransformation-capable ones (the hooks' {@code HookTransformer}), so the class that waited here is then seen by the
 * hooks installed meanwhile. The {@code rainbarrel-start} thread itself passes (the agent's own
 * endpoints listen too). After {@link #MAX_WAIT_SECONDS} the gate gives up with one line and the host
 * goes on; counting then starts when the hooks are in.
 */
final class StartGate implements ClassFileTransformer {
  /** Upper bound of the wait of one thread; installation normally takes well under a second. */
  static final long MAX_WAIT_SECONDS = 30;

  /** Internal names of the classes a server loads to listen (accept paths the agent hooks). */
  static final Set<String> LISTENER_CLASSES = Set.of(
      "sun/nio/ch/ServerSocketChannelImpl",
      "sun/nio/ch/NioSocketImpl",
      "sun/nio/ch/UnixAsynchronousServerSocketChannelImpl",
      "io/netty/channel/epoll/EpollServerSocketChannel",
      "io/netty/channel/uring/IoUringServerSocketChannel");

  private final Instrumentation inst;
  private final CountDownLatch open = new CountDownLatch(1);
  private volatile Thread starter;
  private volatile boolean warned;
  private final java.util.concurrent.atomic.AtomicLong heldNanos = new java.util.concurrent.atomic.AtomicLong();

  private StartGate(Instrumentation inst) {
    this.inst = inst;
  }

  /** Registers a closed gate; {@code starter} (set later by {@link #passing}) is let through. */
  static StartGate register(Instrumentation inst) {
    // Make the JVM create the agent's retransformation-capable environment now: the hooks'
    // transformer joins it later, and the JVM must already know it when a gated load goes on.
    ClassFileTransformer none = new ClassFileTransformer() {};
    inst.addTransformer(none, true);
    inst.removeTransformer(none);
    StartGate g = new StartGate(inst);
    inst.addTransformer(g, false);
    return g;
  }

  /** The thread that installs the hooks and starts the services: never held back. */
  void passing(Thread t) {
    starter = t;
  }

  /** Lets every waiting and future load through and unregisters the gate. Idempotent. */
  void open() {
    if (open.getCount() > 0) {
      open.countDown();
      try {
        inst.removeTransformer(this);
      } catch (Throwable ignored) {
        // an open gate costs one set lookup per class load: harmless
      }
    }
  }

  /** How long host threads have waited here so far, in ms (for the start-up report). */
  long heldMillis() {
    return heldNanos.get() / 1_000_000;
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
      ProtectionDomain pd, byte[] classfile) {
    if (redefined != null || className == null || open.getCount() == 0
        || !LISTENER_CLASSES.contains(className) || Thread.currentThread() == starter) {
      return null;
    }
    long t0 = System.nanoTime();
    try {
      if (!open.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS) && !warned) {
        warned = true;
        AgentLog.error("hooks not installed after " + MAX_WAIT_SECONDS + " s; " + className.replace('/', '.')
            + " loads without waiting further, counting starts when they are");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      heldNanos.addAndGet(System.nanoTime() - t0);
    }
    return null;
  }
}
