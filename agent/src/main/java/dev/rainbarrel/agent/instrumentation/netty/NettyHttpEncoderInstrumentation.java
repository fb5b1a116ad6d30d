package dev.rainbarrel.agent.instrumentation.netty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

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
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("io.netty.handler.codec.http.HttpObjectEncoder");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(named("encode").and(takesArguments(3)),
        "dev.rainbarrel.agent.instrumentation.netty.NettyHttpAdvice$Encode"));
  }
}
