package dev.rainbarrel.agent.instrumentation.netty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Netty's {@code HttpObjectDecoder}: request start and connection end. */
public final class NettyHttpDecoderInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "netty";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("io.netty.handler.codec.http.HttpObjectDecoder");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(named("decode").and(takesArguments(3)), "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$Decode"),
        new Hook(named("decodeLast").and(takesArguments(3)), "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$DecodeLast"));
  }
}
