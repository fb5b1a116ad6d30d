package dev.rainbarrel.agent.instrumentation.netty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** Netty's native epoll accept (NIO accepts go through the JDK and are counted there). */
public final class NettyEpollAcceptInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "accept";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("io.netty.channel.epoll.EpollServerSocketChannel");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("newChildChannel", 4), "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$NativeAccept"));
  }
}
