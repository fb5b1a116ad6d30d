package dev.rainbarrel.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bridge's bookkeeping without any server: frames, tracking, exactly-once ends. One sink for
 * the whole JVM (as in production), so tests assert deltas.
 */
class BridgeTest {

  static final class CountingSink implements Sink {
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong calling = new AtomicLong();
    final AtomicLong writing = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong lastStatus = new AtomicLong();

    @Override
    public void accepted(Object connection) {
      accepted.incrementAndGet();
    }

    @Override
    public void handlerEntered() {
      calling.incrementAndGet();
    }

    @Override
    public void handlerExited() {
      calling.decrementAndGet();
    }

    @Override
    public void committed() {
      writing.incrementAndGet();
    }

    @Override
    public void completed(int status, boolean error, boolean wasCommitted, long durationNanos) {
      if (wasCommitted) {
        writing.decrementAndGet();
      }
      completed.incrementAndGet();
      lastStatus.set(status);
      if (error) {
        errors.incrementAndGet();
      }
      assertTrue(durationNanos >= 0);
    }
  }

  static final CountingSink SINK = new CountingSink();

  @BeforeAll
  static void install() {
    Bridge.install(SINK);
    assertFalse(Bridge.install(new CountingSink()), "a second agent load must not take over");
  }

  @Test
  void nestedFramesCountOnceAndEndOnce() {
    Object request = new Object();
    long done = SINK.completed.get();
    Bridge.enter(request, "resp", true);
    assertEquals(1, SINK.calling.get());
    Bridge.enter(new Object(), null, true); // a filter / forward / wrapper frame
    assertSame(request, Bridge.currentRequest());
    assertNull(Bridge.exit(), "inner frame is not the outermost");
    Bridge.commit(null, 201);
    Bridge.commit(null, 500); // second commit of the same request: ignored
    assertEquals(1, SINK.writing.get());
    assertSame(request, Bridge.exit());
    assertEquals(0, SINK.calling.get());
    Bridge.end(request, -1, false);
    Bridge.end(request, 500, true); // a second end (e.g. listener after sync end): ignored
    assertEquals(done + 1, SINK.completed.get());
    assertEquals(201, SINK.lastStatus.get(), "status recorded at commit");
    assertEquals(0, SINK.writing.get());
    assertNull(Bridge.currentRequest());
  }

  /** An h2c upgrade: the HTTP/1 request is forgotten uncounted, then counted as stream 1. */
  @Test
  void aForgottenRequestReleasesCallingAndIsNeverCounted() {
    Object connection = new Object();
    long completed = SINK.completed.get();
    Bridge.beginAsync(connection);
    assertEquals(1, SINK.calling.get());
    Bridge.forget(connection);
    assertEquals(0, SINK.calling.get());
    Bridge.commit(connection, 200); // nothing tracked under the key any more
    Bridge.end(connection, -1, false);
    Bridge.forget(connection);
    assertEquals(0, SINK.writing.get());
    assertEquals(completed, SINK.completed.get(), "forgotten, not counted");

    Object stream = new Object(); // the same request, on as HTTP/2 stream 1
    Bridge.beginAsync(stream);
    Bridge.commit(stream, 200);
    Bridge.end(stream, -1, false);
    assertEquals(completed + 1, SINK.completed.get());
    assertEquals(0, SINK.calling.get() + SINK.writing.get());

    Object committed = new Object(); // forgotten after its commit: counted, so writing comes down
    Bridge.beginAsync(committed);
    Bridge.commit(committed, 200);
    assertEquals(1, SINK.writing.get());
    Bridge.forget(committed);
    assertEquals(0, SINK.writing.get());
    assertEquals(completed + 2, SINK.completed.get());
  }

  @Test
  void exitWithoutEnterIsIgnored() {
    assertNull(Bridge.exit(), "a frame entered before the agent was attached");
    assertEquals(0, SINK.calling.get());
  }

  @Test
  void eventDrivenRequestsHoldCallingUntilCommitOrEnd() {
    Object channel = new Object();
    long completed = SINK.completed.get();
    Bridge.beginAsync(channel);
    assertEquals(1, SINK.calling.get());
    Bridge.commit(channel, 200);
    assertEquals(0, SINK.calling.get());
    assertEquals(1, SINK.writing.get());
    Bridge.end(channel, -1, false);
    assertEquals(0, SINK.writing.get());
    assertEquals(completed + 1, SINK.completed.get());

    Object reset = new Object();
    Bridge.beginAsync(reset);
    long errors = SINK.errors.get();
    Bridge.end(reset, -1, true); // connection reset before any response
    assertEquals(0, SINK.calling.get());
    assertEquals(errors + 1, SINK.errors.get());
  }

  @Test
  void pipelinedRequestsOnOneConnectionCountOnceEachAndNeverLeak() {
    Object channel = new Object();
    long completed = SINK.completed.get();
    long errors = SINK.errors.get();
    Bridge.beginAsync(channel);
    Bridge.beginAsync(channel); // pipelined: decoded before the first response
    Bridge.beginAsync(channel);
    assertEquals(3, SINK.calling.get(), "three decoded, unanswered requests");
    Bridge.commit(channel, 200);
    assertEquals(2, SINK.calling.get());
    assertEquals(1, SINK.writing.get());
    Bridge.end(channel, -1, false);
    assertEquals(completed + 1, SINK.completed.get());
    assertEquals(200, SINK.lastStatus.get());
    assertEquals(0, SINK.writing.get());
    Bridge.commit(channel, 404); // the second one's own status
    assertEquals(1, SINK.calling.get());
    Bridge.end(channel, -1, false);
    assertEquals(404, SINK.lastStatus.get(), "each pipelined request keeps its own status");
    assertEquals(completed + 2, SINK.completed.get());
    // the connection goes away with the third decoded but unanswered: it ends as an error
    Bridge.endAll(channel, -1, true);
    assertEquals(completed + 3, SINK.completed.get());
    assertEquals(errors + 1, SINK.errors.get());
    assertEquals(0, SINK.calling.get());
    assertEquals(0, SINK.writing.get());
    Bridge.end(channel, -1, false);
    assertEquals(completed + 3, SINK.completed.get(), "nothing left to end");

    Object reset = new Object(); // reset with two in flight, one of them committed
    Bridge.beginAsync(reset);
    Bridge.beginAsync(reset);
    Bridge.commit(reset, 200);
    Bridge.endAll(reset, -1, true);
    assertEquals(completed + 5, SINK.completed.get());
    assertEquals(errors + 3, SINK.errors.get());
    assertEquals(0, SINK.calling.get());
    assertEquals(0, SINK.writing.get());
  }

  @Test
  void abortMarkedInsideTheHandlerMakesTheEndAnError() {
    Object request = new Object();
    long errors = SINK.errors.get();
    Bridge.enter(request, null, true);
    Bridge.abortedCurrent();
    Bridge.exit();
    Bridge.end(request, 200, false);
    assertEquals(errors + 1, SINK.errors.get());
  }

  @Test
  void aFailureAfterTheCommitKeepsTheCommittedStatus() {
    long errors = SINK.errors.get();
    long done = SINK.completed.get();
    Object committed = new Object(); // a pipelined 404 whose write failed: the client closed
    Bridge.enter(committed, null, true);
    Bridge.commit(committed, 404);
    Bridge.exit();
    Bridge.endFailed(committed, 500);
    assertEquals(404, SINK.lastStatus.get(), "the status already sent");
    Bridge.endFailed(committed, 500); // a second end: ignored
    Object uncommitted = new Object(); // a handler exception before any response
    Bridge.enter(uncommitted, null, true);
    Bridge.exit();
    Bridge.endFailed(uncommitted, 500);
    assertEquals(500, SINK.lastStatus.get(), "the status the server answers the failure with");
    assertEquals(done + 2, SINK.completed.get());
    assertEquals(errors + 2, SINK.errors.get());
    assertEquals(0, SINK.calling.get());
    assertEquals(0, SINK.writing.get());
  }

  @Test
  void errorMarkedByTheFrameworkCountsOnceWithTheAnsweredStatus() {
    Object channel = new Object();
    long errors = SINK.errors.get();
    long done = SINK.completed.get();
    Bridge.beginAsync(channel);
    Bridge.markError(channel);
    Bridge.markError(channel); // a second exception handler in the chain: still one error
    Bridge.commit(channel, 500);
    Bridge.end(channel, -1, false);
    assertEquals(done + 1, SINK.completed.get());
    assertEquals(errors + 1, SINK.errors.get());
    assertEquals(500, SINK.lastStatus.get(), "the status the client got");
    assertEquals(0, SINK.calling.get());
    assertEquals(0, SINK.writing.get());

    Bridge.beginAsync(channel); // the next request on the connection starts clean
    Bridge.commit(channel, 503);
    Bridge.end(channel, -1, false);
    assertEquals(errors + 1, SINK.errors.get(), "a plain 5xx is not an error");

    Bridge.markError(new Object()); // not tracked: ignored
    Bridge.markError(null);
    assertEquals(done + 2, SINK.completed.get());
  }

  @Test
  void untrackedRequestsAreNeitherCommittedNorEnded() {
    long done = SINK.completed.get();
    Object stranger = new Object();
    Bridge.commit(stranger, 200);
    Bridge.end(stranger, 200, false);
    assertEquals(done, SINK.completed.get());
    assertEquals(0, SINK.writing.get());
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void racingEndsCountExactlyOnce() throws Exception {
    int requests = 2000;
    int threads = 4;
    long done = SINK.completed.get();
    List<Object> keys = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      Object k = new Object();
      keys.add(k);
      Bridge.track(k);
      Bridge.commit(k, 200);
    }
    assertEquals(requests, SINK.writing.get());
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (Object k : keys) {
          Bridge.end(k, -1, false);
        }
      });
      th.start();
      ts.add(th);
    }
    start.countDown();
    for (Thread th : ts) {
      th.join(20_000);
    }
    assertEquals(done + requests, SINK.completed.get());
    assertEquals(0, SINK.writing.get());
  }

  /** The per-request hook path allocates nothing once the thread has its state (0 B/op). */
  @Test
  void hookPathAllocatesNothing() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    Object[] keys = new Object[64];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new Object();
    }
    long tid = Thread.currentThread().getId();
    long allocated = Long.MAX_VALUE;
    for (int round = 0; round < 5 && allocated != 0; round++) { // the first rounds warm up
      long before = mx.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 20_000; i++) {
        Object k = keys[i & 63];
        Bridge.enter(k, null, true);
        Bridge.enter(null, null, false);
        Bridge.commit(null, 200);
        Bridge.exit();
        Bridge.exit();
        Bridge.end(k, -1, false);
        Bridge.accepted(k);
      }
      allocated = mx.getThreadAllocatedBytes(tid) - before;
    }
    assertEquals(0, allocated, "bytes allocated by 20000 requests through the bridge");
  }

  @Test
  void acceptedGoesThrough() {
    long before = SINK.accepted.get();
    Bridge.accepted(new Object());
    assertEquals(before + 1, SINK.accepted.get());
  }
}
