package dev.rainbarrel.agent.instrumentation.accept;

import dev.rainbarrel.bootstrap.Bridge;
import dev.rainbarrel.agent.instrumentation.Advice;

/** Advice for the JDK's accept paths: one call per accepted connection. */
public final class AcceptAdvice {

  private AcceptAdvice() {}

  /**
   * {@code sun.nio.ch.ServerSocketChannelImpl.finishAccept(FileDescriptor, SocketAddress)}: the
   * common tail of {@code accept()} and the blocking accept behind {@code ServerSocketChannel
   * .socket().accept()}; runs only when a connection was accepted.
   */
  public static final class FinishAccept {
    private FinishAccept() {}

    @Advice.OnMethodExit
    public static void exit(@Advice.Return Object channel) {
      if (channel != null) {
        Bridge.accepted(channel);
      }
    }
  }

  /** {@code sun.nio.ch.NioSocketImpl.accept(SocketImpl)}: the classic {@code ServerSocket}. */
  public static final class SocketImplAccept {
    private SocketImplAccept() {}

    @Advice.OnMethodExit
    public static void exit(@Advice.Argument(0) Object socketImpl) {
      Bridge.accepted(socketImpl);
    }
  }
}
