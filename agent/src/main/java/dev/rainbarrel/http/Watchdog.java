package dev.rainbarrel.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long an endpoint thread may stay blocked on a client. The JDK server reads requests
 * and writes responses with blocking socket-channel calls on the executor's threads; a client that
 * sends half a request, or stops reading a response or a tail, would pin that thread forever. A
 * thread arms a deadline before such socket I/O; when it passes, the watchdog interrupts the
 * thread, which closes the (interruptible) channel and ends the exchange with an exception.
 *
 * <p>Threads disarm before they touch anything else (the Barrel's file channel is interruptible
 * too, and must never be closed by a stray interrupt): arming, disarming and interrupting happen
 * under the thread's entry lock, and disarming clears any interrupt that already arrived.
 */
final class Watchdog {

  /** One endpoint thread's deadline. */
  static final class Entry {
    private final Thread thread;
    private long deadlineNanos; // 0 = disarmed; guarded by this

    Entry(Thread thread) {
      this.thread = thread;
    }

    /** Interrupts the owning thread if it is still blocked {@code timeoutNanos} from now. */
    synchronized void arm(long timeoutNanos) {
      long d = System.nanoTime() + timeoutNanos;
      deadlineNanos = d == 0 ? 1 : d;
    }

    /** Cancels the deadline and clears an interrupt the watchdog may already have delivered. */
    synchronized void disarm() {
      deadlineNanos = 0;
      Thread.interrupted();
    }

    synchronized boolean fireIfDue(long now) {
      if (deadlineNanos != 0 && now - deadlineNanos > 0) {
        deadlineNanos = 0;
        thread.interrupt();
        return true;
      }
      return false;
    }
  }

  private final ConcurrentHashMap<Thread, Entry> entries = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long fired;

  Watchdog(String name) {
    thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** The calling thread's entry (created on first use, dropped when the thread ends). */
  Entry current() {
    return entries.computeIfAbsent(Thread.currentThread(), Entry::new);
  }

  /** Forgets the calling thread (it is about to end). */
  void release() {
    Entry e = entries.remove(Thread.currentThread());
    if (e != null) {
      e.disarm();
    }
  }

  /** How many threads the watchdog has interrupted so far. */
  long fired() {
    return fired;
  }

  private void loop() {
    while (running) {
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (Entry e : entries.values()) {
        if (e.fireIfDue(now)) {
          fired++;
        }
      }
    }
  }

  void close() {
    running = false;
    thread.interrupt();
  }
}
