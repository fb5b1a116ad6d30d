package dev.rainbarrel.agent.instrumentation.netty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Netty's {@code HttpObjectEncoder}: {@code write} (4.1.x releases that encode in {@code write})
 * and {@code encode} (older ones); a message seen by both is committed/ended once by the bridge.
 */
public final class NettyHttpEncoderInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "netty";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("io.netty.handler.codec.http.HttpObjectEncoder");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(named("write").and(takesArguments(3)).or(named("encode").and(takesArguments(3))),
        "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$Encode"));
  }
}
