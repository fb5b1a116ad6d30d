package dev.rainbarrel.agent.instrumentation.accept;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Counts accepted connections in the JDK itself, so every server built on {@code
 * ServerSocketChannel} or {@code ServerSocket} is covered (Tomcat NIO, Jetty, Undertow/XNIO, Netty
 * NIO, the JDK HttpServer) without knowing them.
 */
public final class JdkAcceptInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "accept";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("sun.nio.ch.ServerSocketChannelImpl", "sun.nio.ch.NioSocketImpl");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("finishAccept", 2), AcceptAdvice.FinishAccept.class.getName()),
        new Hook(MethodMatch.named("accept", 1), AcceptAdvice.SocketImplAccept.class.getName()));
  }
}
