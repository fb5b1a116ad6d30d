package dev.rainbarrel.bootstrap;

import java.util.function.Function;

/**
 * The static hooks that instrumented server code calls. Advice classes are defined in the server's
 * own class loaders (or on the bootstrap path for JDK classes) and can only see classes of those
 * loaders; this class is put on the bootstrap class path so every class loader sees it, and it delegates to the agent's {@link Sink}.
 *
 * <p>Rules every method keeps: no allocation once a thread has its {@link ThreadState}; never
 * throws; when the sink throws once, recording turns off for good and one line goes to stderr (the
 * host keeps serving).
 *
 * <p>Request lifecycle, as the advice reports it:
 *
 * <ul>
 *   <li>{@link #enter}/{@link #exit}: the outermost handler frame on a thread ({@code calling}).
 *       Nested frames (filter chains, forwards, wrappers, includes) only move a per-thread depth.
 *   <li>{@link #track}: start tracking the server's request object (idempotent);
 *   <li>{@link #commit}: headers sent ({@code writing} up);
 *   <li>{@link #end}: completion, exactly once per tracked request, whoever calls it first.
 * </ul>
 */
public final class Bridge {

  private static volatile Sink sink;
  private static volatile boolean failed;
  private static final InFlight IN_FLIGHT = new InFlight();

  private static final ThreadLocal<ThreadState> STATE =
      new ThreadLocal<ThreadState>() {
        @Override
        protected ThreadState initialValue() {
          return new ThreadState();
        }
      };

  /** Per-thread request context: allocated once per thread, reused for every request. */
  static final class ThreadState {
    /**
     * The agent's own threads ({@code rainbarrel-http-*} serving the endpoints, the watcher, ...)
     * are not application traffic: requests they handle are never counted, as raindrops does not
     * count {@code /_raindrops}. Decided once per thread, so the check costs a field read.
     */
    final boolean agentThread = Thread.currentThread().getName().startsWith(AGENT_THREAD_PREFIX);
    int depth;
    Object request;
    Object response;
    Object lastTracked;
    Object asyncStarted; // the async context the listener was registered with in this frame
  }

  /** Name prefix of every thread the agent starts. */
  public static final String AGENT_THREAD_PREFIX = "rainbarrel-";

  private Bridge() {}

  /**
   * Connects the agent's recorder. Only the first call wins: a second agent load in the same JVM
   * gets false and must stay off.
   */
  public static synchronized boolean install(Sink s) {
    if (sink != null || s == null) {
      return false;
    }
    sink = s;
    return true;
  }

  /** Whether a sink is installed (an agent is active in this JVM). */
  public static boolean installed() {
    return sink != null;
  }

  private static Sink sink() {
    return failed ? null : sink;
  }

  private static void fail(Throwable t) {
    if (!failed) {
      failed = true;
      try {
        System.err.println(
            "rainbarrel: recording failed ("
                + t
                + "); counting is off from now on, the server is not affected");
      } catch (Throwable ignored) {
        // stderr closed: nothing left to tell
      }
    }
  }

  /**
   * Called (by generated code) when advice itself threw, e.g. a server API missing a method the
   * advice expected: the request counts would be wrong from now on, so recording turns off.
   */
  public static void adviceFailed(Throwable t) {
    fail(t);
  }

  // ---------------------------------------------------------------- connections

  /** A connection was accepted. */
  public static void accepted(Object connection) {
    Sink s = sink();
    if (s == null) {
      return;
    }
    try {
      s.accepted(connection);
    } catch (Throwable t) {
      fail(t);
    }
  }

  // ---------------------------------------------------------------- requests

  /**
   * Enters a handler frame for {@code request}. The outermost frame on this thread raises {@code
   * calling}, remembers {@code request}/{@code response}, and (if {@code track}) starts tracking.
   *
   * @param request the server's request object (the tracking key), or null to use the one this
   *     thread last {@link #track tracked}
   */
  public static void enter(Object request, Object response, boolean track) {
    ThreadState ts = STATE.get();
    if (ts.agentThread || ts.depth++ != 0) {
      return;
    }
    Object key = request != null ? request : ts.lastTracked;
    ts.request = key;
    ts.response = response;
    Sink s = sink();
    if (s == null) {
      return;
    }
    try {
      if (track && key != null) {
        IN_FLIGHT.begin(key, System.nanoTime());
      }
      s.handlerEntered();
    } catch (Throwable t) {
      fail(t);
    }
  }

  /**
   * Leaves a handler frame.
   *
   * @return the request key if this was the outermost frame (the caller then decides whether the
   *     request ends now), else null
   */
  public static Object exit() {
    ThreadState ts = STATE.get();
    if (ts.depth <= 0) {
      return null; // entered before the agent was attached
    }
    if (--ts.depth != 0) {
      return null;
    }
    Object key = ts.request;
    ts.request = null;
    ts.response = null;
    ts.lastTracked = null; // do not keep the server's request object alive between requests
    ts.asyncStarted = null; // containers recycle their async contexts with their requests
    Sink s = sink();
    if (s != null) {
      try {
        s.handlerExited();
      } catch (Throwable t) {
        fail(t);
      }
    }
    return key;
  }

  /** The request of this thread's outermost handler frame, or null outside handlers. */
  public static Object currentRequest() {
    return STATE.get().request;
  }

  /** The response of this thread's outermost handler frame, or null. */
  public static Object currentResponse() {
    return STATE.get().response;
  }

  /**
   * Whether {@code context} is started for the first time in this thread's outermost handler
   * frame. Containers delegate {@code startAsync} from one woven method to another (Tomcat: the
   * facade's to the request's, its no-argument form to the two-argument one), and the async
   * advice registers its listener only on the first, once per request.
   */
  public static boolean firstAsyncStart(Object context) {
    ThreadState ts = STATE.get();
    if (ts.asyncStarted == context) {
      return false;
    }
    ts.asyncStarted = context;
    return true;
  }

  /** Starts tracking {@code request} (no-op if tracked already) and remembers it for this thread. */
  public static void track(Object request) {
    ThreadState ts = STATE.get();
    if (ts.agentThread) {
      return;
    }
    ts.lastTracked = request;
    if (sink() == null) {
      return;
    }
    try {
      IN_FLIGHT.begin(request, System.nanoTime());
    } catch (Throwable t) {
      fail(t);
    }
  }

  /**
   * Starts an event-driven request (Netty and other servers without a handler thread): tracking
   * starts and {@code calling} goes up until the response is committed or the request ends,
   * whichever comes first.
   */
  public static void beginAsync(Object request) {
    Sink s = sink();
    if (s == null || request == null) {
      return;
    }
    try {
      if (IN_FLIGHT.beginAsync(request, System.nanoTime()) != 0) {
        s.handlerEntered(); // started, or queued behind a pipelined predecessor: decoded, unanswered
      }
    } catch (Throwable t) {
      fail(t);
    }
  }

  /**
   * Marks {@code request} committed with {@code status}; {@code writing} goes up once.
   *
   * @param request the tracking key; null means this thread's current request
   * @return false only when {@code request} is null and this thread has no current request (the
   *     caller may then find the key another way)
   */
  public static boolean commit(Object request, int status) {
    Sink s = sink();
    if (s == null) {
      return true; // nothing to look for
    }
    try {
      Object key = request != null ? request : STATE.get().request;
      if (key == null) {
        return false;
      }
      int result = IN_FLIGHT.commit(key, status);
      if ((result & InFlight.COMMITTED) != 0) {
        s.committed();
        if ((result & InFlight.RELEASED_CALLING) != 0) {
          s.handlerExited();
        }
      }
      return true;
    } catch (Throwable t) {
      fail(t);
      return true;
    }
  }

  /**
   * The server saw this thread's request's response aborted (the client went away mid-write):
   * whenever it ends, it ends as an error, even if the application swallowed the exception.
   */
  public static void abortedCurrent() {
    if (sink() != null) {
      markError(STATE.get().request);
    }
  }

  /**
   * A framework saw {@code request}'s current request fail with an exception that no application
   * code handled (Spring WebFlux's web-exception layer; the server answers it with an ordinary
   * error response): whenever it ends, it ends as an error. Idempotent, so several reports for one
   * request (a chain of exception handlers) count one error; a key not tracked is ignored.
   *
   * @param request the tracking key (for event-driven servers the connection: its current request)
   */
  public static void markError(Object request) {
    if (sink() == null || request == null) {
      return;
    }
    try {
      IN_FLIGHT.markAborted(request);
    } catch (Throwable t) {
      fail(t);
    }
  }

  /**
   * Ends a tracked request; only the first call per request counts.
   *
   * @param status the final status, or a value outside 100..599 to use the one recorded at commit
   * @param error whether it ended badly (exception, abort, timeout, reset)
   */
  public static void end(Object request, int status, boolean error) {
    Sink s = sink();
    if (s == null || request == null) {
      return;
    }
    try {
      endOne(s, request, status, error, true);
    } catch (Throwable t) {
      fail(t);
    }
  }

  /**
   * Ends a tracked request that failed, as an error: with the status already sent if its response
   * was committed (the client got that head; the server can no longer answer otherwise, it only
   * closes the connection), else with {@code uncommittedStatus}, the status the server answers a
   * failure with. Only the first end per request counts.
   */
  public static void endFailed(Object request, int uncommittedStatus) {
    Sink s = sink();
    if (s == null || request == null) {
      return;
    }
    try {
      endOne(s, request, uncommittedStatus, true, true, true);
    } catch (Throwable t) {
      fail(t);
    }
  }

  /**
   * Stops tracking {@code request} without counting it, releasing what it holds of {@code calling}:
   * for a request that goes on under another key (an HTTP/1.1 request upgraded to HTTP/2 becomes
   * stream 1 and is counted there). Meant for a request not yet committed; one that is (which the
   * hooks never ask for) is counted as ended instead, since only its end takes back {@code writing}.
   */
  public static void forget(Object request) {
    Sink s = sink();
    if (s == null || request == null) {
      return;
    }
    try {
      endOne(s, request, -1, false, false);
    } catch (Throwable t) {
      fail(t);
    }
  }

  /**
   * The connection {@code request} (an event-driven key) is gone: its current request and every
   * pipelined one queued behind it end, each as one request.
   */
  public static void endAll(Object request, int status, boolean error) {
    Sink s = sink();
    if (s == null || request == null) {
      return;
    }
    try {
      for (int n = 0; n <= InFlight.MAX_QUEUED && endOne(s, request, status, error, true); n++) {
        // bounded: at most the current request and MAX_QUEUED queued ones
      }
    } catch (Throwable t) {
      fail(t);
    }
  }

  /**
   * Ends the current request of {@code request}: {@code calling} back if it held it, and counted,
   * unless {@code count} is false and it was never committed ({@link #forget}).
   */
  private static boolean endOne(Sink s, Object request, int status, boolean error, boolean count) {
    return endOne(s, request, status, error, count, false);
  }

  /** {@code committedWins}: a committed status counts rather than {@code status}. */
  private static boolean endOne(Sink s, Object request, int status, boolean error, boolean count,
      boolean committedWins) {
    long ended = IN_FLIGHT.end(request, System.nanoTime());
    if (ended < 0) {
      return false;
    }
    if (InFlight.heldCalling(ended)) {
      s.handlerExited();
    }
    int committed = InFlight.status(ended);
    if (count || committed != InFlight.NOT_COMMITTED) { // only its end takes writing back
      int code = status >= 100 && status <= 599 && !(committedWins && committed != InFlight.NOT_COMMITTED)
          ? status : committed;
      boolean failed = error || InFlight.wasAborted(ended);
      s.completed(code, failed, committed != InFlight.NOT_COMMITTED, InFlight.durationNanos(ended));
    }
    return true;
  }

  /**
   * Lets the bridge find requests of {@code requestClass} near the identity hash of {@code
   * connection.apply(request)} instead of their own: for servers that make a new request object
   * per request on a connection that serves one request at a time, so that the JVM installs an
   * identity hash once per connection, not per request (measured: 3-4 % of Jetty 12's CPU per
   * request on a hello handler). {@code connection} must answer the same for a request every
   * time and never throw (return the request itself when in doubt); register it before requests
   * of the class are tracked (a request tracked earlier is still found: lookups that miss also
   * try the request's own hash). Only the first call has an effect.
   */
  public static void placeBy(Class<?> requestClass, Function<Object, Object> connection) {
    if (requestClass == null || connection == null) {
      return;
    }
    try {
      IN_FLIGHT.placeBy(requestClass, connection);
    } catch (Throwable t) {
      fail(t);
    }
  }

  /** Requests not counted because the in-flight table had no free slot near their hash. */
  public static long untracked() {
    return IN_FLIGHT.untracked();
  }
}
