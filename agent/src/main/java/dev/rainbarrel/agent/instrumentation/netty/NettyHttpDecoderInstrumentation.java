package dev.rainbarrel.agent.instrumentation.netty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** Netty's {@code HttpObjectDecoder}: request start and connection end. */
public final class NettyHttpDecoderInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "netty";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("io.netty.handler.codec.http.HttpObjectDecoder");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("decode", 3), "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$Decode"),
        new Hook(MethodMatch.named("decodeLast", 3), "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$DecodeLast"));
  }
}
