package dev.rainbarrel.agent;

import dev.rainbarrel.bootstrap.Sink;

/**
 * A {@link Sink} that throws on every request event, switched on only by the system property
 * {@code rainbarrel.test.faultInjection=recorder}: lets the integration tests prove that a failing
 * recording path never reaches the host (the bridge turns recording off and the requests succeed).
 */
final class FaultInjection implements Sink {

  static final String PROPERTY = "rainbarrel.test.faultInjection";

  private final Sink delegate;

  FaultInjection(Sink delegate) {
    this.delegate = delegate;
  }

  static Sink wrapIfRequested(Sink sink) {
    return "recorder".equals(System.getProperty(PROPERTY)) ? new FaultInjection(sink) : sink;
  }

  @Override
  public void accepted(Object connection) {
    delegate.accepted(connection);
  }

  @Override
  public void handlerEntered() {
    throw new IllegalStateException("injected fault in the recording path");
  }

  @Override
  public void handlerExited() {
    throw new IllegalStateException("injected fault in the recording path");
  }

  @Override
  public void committed() {
    throw new IllegalStateException("injected fault in the recording path");
  }

  @Override
  public void completed(int status, boolean error, boolean wasCommitted, long durationNanos) {
    throw new IllegalStateException("injected fault in the recording path");
  }
}
