package dev.rainbarrel.agent.instrumentation.accept;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

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
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("sun.nio.ch.ServerSocketChannelImpl").or(named("sun.nio.ch.NioSocketImpl"));
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(named("finishAccept").and(takesArguments(2)), AcceptAdvice.FinishAccept.class.getName()),
        new Hook(named("accept").and(takesArguments(1)), AcceptAdvice.SocketImplAccept.class.getName()));
  }
}
