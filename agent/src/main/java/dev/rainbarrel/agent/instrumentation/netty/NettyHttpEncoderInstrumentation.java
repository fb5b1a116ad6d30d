package dev.rainbarrel.agent.instrumentation.netty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Netty's {@code HttpObjectEncoder.encode}: every outbound HTTP message passes it once (the 4.1.x
 * and 4.2 {@code write} override delegates to it, older releases reach it through {@code
 * MessageToMessageEncoder.write}). Only {@code encode} is hooked: hooking {@code write} as well
 * would see each message twice, and with pipelined requests a second end would end the next
 * request on the connection.
 */
public final class NettyHttpEncoderInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "netty";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("io.netty.handler.codec.http.HttpObjectEncoder");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("encode", 3), "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$Encode"));
  }
}
