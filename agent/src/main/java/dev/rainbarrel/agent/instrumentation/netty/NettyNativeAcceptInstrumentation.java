package dev.rainbarrel.agent.instrumentation.netty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Netty's native accepts, where no JDK socket is involved (NIO accepts go through the JDK and are
 * counted there): each listening channel's {@code newChildChannel(int fd, ...)} runs once per
 * accepted connection, and its advice ({@link NettyHttpAdvice.NativeAccept}) hands the descriptor
 * over for {@code accepted} and TCP_INFO.
 *
 * <ul>
 *   <li>epoll: {@code EpollServerSocketChannel.newChildChannel(int fd, byte[] address, int offset,
 *       int len)};
 *   <li>io_uring (Netty 4.2): the accept completion of {@code AbstractIoUringServerChannel}'s
 *       unsafe calls the package-private {@code IoUringServerSocketChannel.newChildChannel(int fd,
 *       ByteBuffer acceptedAddressMemory)}, multishot or not.
 * </ul>
 *
 * Each hook's signature exists on one of the two types only.
 */
public final class NettyNativeAcceptInstrumentation implements TypeInstrumentation {

  private static final String ADVICE = "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$NativeAccept";

  @Override
  public String server() {
    return "accept";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("io.netty.channel.epoll.EpollServerSocketChannel",
        "io.netty.channel.uring.IoUringServerSocketChannel");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("newChildChannel", 4), ADVICE),
        new Hook(MethodMatch.named("newChildChannel", 2).withArgument(1, "java.nio.ByteBuffer"), ADVICE));
  }
}
