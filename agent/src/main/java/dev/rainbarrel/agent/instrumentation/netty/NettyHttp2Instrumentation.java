package dev.rainbarrel.agent.instrumentation.netty;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Netty's HTTP/2 streams as HTTP messages: {@code Http2StreamFrameToHttpObjectCodec} (request
 * start, commit, end) and the stream channel's close. The codec's {@code decode}/{@code encode}
 * are matched with their frame and message types, not the generic bridge methods that delegate to
 * them: weaving both would see every message twice. The stream channel, a new object per stream
 * and the tracking key, gets the in-flight slot field.
 */
public final class NettyHttp2Instrumentation implements TypeInstrumentation {

  static final String CODEC = "io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec";
  static final String STREAM_CHANNEL = "io.netty.handler.codec.http2.AbstractHttp2StreamChannel";

  @Override
  public String server() {
    return "netty";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of(CODEC, STREAM_CHANNEL);
  }

  @Override
  public Set<String> inFlightKeyTypes() {
    // one stream channel per request (the key): found through its slot field, which every stream
    // channel class inherits, not through an identity hash installed on each
    return Set.of(STREAM_CHANNEL);
  }

  @Override
  public List<Hook> hooks() {
    String advice = "dev.rainbarrel.agent.instrumentation.netty.NettyHttp2Advice$";
    return List.of(
        new Hook(MethodMatch.named("decode", 3).declaredBy(CODEC)
            .withArgument(1, "io.netty.handler.codec.http2.Http2StreamFrame"), advice + "Decode"),
        new Hook(MethodMatch.named("encode", 3).declaredBy(CODEC)
            .withArgument(1, "io.netty.handler.codec.http.HttpObject"), advice + "Encode"),
        new Hook(MethodMatch.named("streamClosed", 0).declaredBy(STREAM_CHANNEL), advice + "StreamClosed"));
  }
}
