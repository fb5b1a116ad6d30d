package dev.rainbarrel.agent.instrumentation.netty;

import dev.rainbarrel.agent.instrumentation.Advice;
import dev.rainbarrel.bootstrap.Bridge;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty 4.1/4.2 HTTP/2 advice, for servers that turn each stream into HTTP/1-style messages with
 * {@code Http2StreamFrameToHttpObjectCodec} on the stream's child channel (Netty's multiplexed
 * HTTP/2 servers, Reactor Netty and so Spring WebFlux). The tracking key is the stream's channel:
 * one request per stream, so streams of one connection are as independent as connections are for
 * HTTP/1. {@code calling} runs from the decoded request headers to the committed response, {@code
 * writing} from there to the last content, as for HTTP/1 on Netty.
 */
public final class NettyHttp2Advice {

  private NettyHttp2Advice() {}

  /** {@code Http2StreamFrameToHttpObjectCodec.decode}: request headers on a server stream start it. */
  public static final class Decode {
    private Decode() {}

    @Advice.OnMethodExit
    public static void exit(@Advice.Argument(0) ChannelHandlerContext ctx, @Advice.Argument(2) List<Object> out) {
      for (int i = 0, n = out.size(); i < n; i++) {
        if (out.get(i) instanceof HttpRequest) { // a client stream decodes responses: never begins
          Bridge.beginAsync(ctx.channel());
        }
      }
    }
  }

  /**
   * {@code Http2StreamFrameToHttpObjectCodec.encode}: a response head commits (interim 1xx
   * excluded), a last content (a full response included) ends the stream's request.
   */
  public static final class Encode {
    private Encode() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.Argument(0) ChannelHandlerContext ctx, @Advice.Argument(1) Object msg) {
      if (msg instanceof HttpResponse) {
        int code = ((HttpResponse) msg).status().code();
        if (code < 200) {
          return; // interim (100 Continue, 103 Early Hints): the final response follows on the stream
        }
        Bridge.commit(ctx.channel(), code);
      }
      if (msg instanceof LastHttpContent) {
        Bridge.end(ctx.channel(), -1, false); // a client stream's request body: not tracked, ignored
      }
    }
  }

  /**
   * {@code AbstractHttp2StreamChannel.streamClosed}: the stream is gone (answered, reset by the
   * peer, or its connection closed); a request still in flight on it ends as an error.
   */
  public static final class StreamClosed {
    private StreamClosed() {}

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit(@Advice.This Object streamChannel) {
      Bridge.endAll(streamChannel, -1, true);
    }
  }
}
