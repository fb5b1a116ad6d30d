package dev.rainbarrel.agent.instrumentation.accept;

import dev.rainbarrel.agent.instrumentation.Advice;
import dev.rainbarrel.bootstrap.Bridge;

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
      try {
        if (channel != null) {
          Bridge.accepted(channel);
        }
      } catch (Throwable t) { // on the bootstrap path: not rewritten by SuppressingAdvice
        Bridge.adviceFailed(t);
      }
    }
  }

  /** {@code sun.nio.ch.NioSocketImpl.accept(SocketImpl)}: the classic {@code ServerSocket}. */
  public static final class SocketImplAccept {
    private SocketImplAccept() {}

    @Advice.OnMethodExit
    public static void exit(@Advice.Argument(0) Object socketImpl) {
      try {
        Bridge.accepted(socketImpl);
      } catch (Throwable t) { // on the bootstrap path: not rewritten by SuppressingAdvice
        Bridge.adviceFailed(t);
      }
    }
  }
}
