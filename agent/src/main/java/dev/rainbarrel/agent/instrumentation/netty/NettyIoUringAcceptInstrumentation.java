package dev.rainbarrel.agent.instrumentation.netty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Netty 4.2's native io_uring accept: the accept completion of {@code
 * AbstractIoUringServerChannel}'s unsafe hands the new descriptor to the package-private {@code
 * IoUringServerSocketChannel.newChildChannel(int fd, ByteBuffer acceptedAddressMemory)}, once per
 * accepted connection (multishot or not). Like epoll, no JDK socket is involved: the advice hands
 * the descriptor over for {@code accepted} and TCP_INFO ({@link NettyHttpAdvice.NativeAccept}).
 */
public final class NettyIoUringAcceptInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "accept";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("io.netty.channel.uring.IoUringServerSocketChannel");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(MethodMatch.named("newChildChannel", 2).withArgument(1, "java.nio.ByteBuffer"),
        "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$NativeAccept"));
  }
}
