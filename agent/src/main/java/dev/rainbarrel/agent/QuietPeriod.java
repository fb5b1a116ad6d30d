package dev.rainbarrel.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells when the host's own start-up has settled, judged by class loading: a starting server
 * loads classes by the thousand (Spring Boot for seconds, Jetty until its first request is
 * served), a running one hardly any. The agent waits for that before it starts the services that
 * only read the counters (watcher, MXBeans, JFR, reaper), so their start-up work - a second of
 * CPU on a small machine, mostly class loading and JIT of FFM, JMX and JFR code - does not
 * compete with the host's start-up (docs/AGENT.md, "Start-up sequence"). The hooks and the
 * counters are live long before: nothing is missed, the gauges just appear a moment later.
 *
 * <p>A plain, retransformation-incapable {@link ClassFileTransformer} that only counts the class
 * definitions it is shown (one atomic add per class load while registered) and is removed once
 * the wait is over.
 */
final class QuietPeriod implements ClassFileTransformer {
  /** The host counts as settled after a window with at most this many class loads... */
  static final int MAX_LOADS_PER_WINDOW = 20;
  /** ...of this length. */
  static final long WINDOW_MILLIS = 500;
  /** Never wait longer than this from registration (a host that keeps generating classes). */
  static final long MAX_WAIT_MILLIS = 10_000;

  private final Instrumentation inst;
  private final AtomicLong loads = new AtomicLong();
  private final long registeredNanos = System.nanoTime();

  private QuietPeriod(Instrumentation inst) {
    this.inst = inst;
  }

  /** Starts counting class loads now. */
  static QuietPeriod register(Instrumentation inst) {
    QuietPeriod q = new QuietPeriod(inst);
    inst.addTransformer(q, false);
    return q;
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
      ProtectionDomain pd, byte[] classfile) {
    if (redefined == null) {
      loads.incrementAndGet();
    }
    return null;
  }

  /**
   * Blocks until a window passed with few class loads or {@link #MAX_WAIT_MILLIS} since {@link
   * #register} (or the thread is interrupted), then stops counting.
   *
   * @return how long this call waited, in ms
   */
  long awaitSettled() {
    long t0 = System.nanoTime();
    try {
      long deadline = registeredNanos + MAX_WAIT_MILLIS * 1_000_000;
      long before = loads.get();
      while (System.nanoTime() - deadline < 0) {
        Thread.sleep(WINDOW_MILLIS);
        long now = loads.get();
        if (now - before <= MAX_LOADS_PER_WINDOW) {
          break;
        }
        before = now;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the agent is closing: stop waiting
    } finally {
      close();
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** Stops counting. Idempotent. */
  void close() {
    try {
      inst.removeTransformer(this);
    } catch (Throwable ignored) {
      // still registered: costs one add per class load, harmless
    }
  }
}
