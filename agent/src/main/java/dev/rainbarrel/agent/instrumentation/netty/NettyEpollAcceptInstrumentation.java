package dev.rainbarrel.agent.instrumentation.netty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Netty's native epoll accept (NIO accepts go through the JDK and are counted there). */
public final class NettyEpollAcceptInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "accept";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("io.netty.channel.epoll.EpollServerSocketChannel");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(named("newChildChannel").and(takesArguments(4)),
        "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$EpollAccept"));
  }
}
