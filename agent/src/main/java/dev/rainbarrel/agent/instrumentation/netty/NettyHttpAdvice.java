package dev.rainbarrel.agent.instrumentation.netty;

import dev.rainbarrel.bootstrap.Bridge;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import dev.rainbarrel.agent.instrumentation.Advice;

/**
 * Netty 4.1/4.2 HTTP codec advice. The tracking key is the {@code Channel}: HTTP/1.1 answers in
 * request order, so requests pipelined on one connection queue behind the current one in the
 * bridge and each ends with its own last content (all of them on the channel's event loop). Netty has
 * no handler thread per request, so {@code calling} runs from the decoded request to the committed
 * response, {@code writing} from there to the last content.
 */
public final class NettyHttpAdvice {

  private NettyHttpAdvice() {}

  /** {@code HttpObjectDecoder.decode}: a decoded server-side request starts tracking. */
  public static final class Decode {
    private Decode() {}

    @Advice.OnMethodExit
    public static void exit(
        @Advice.This Object decoder,
        @Advice.Argument(0) ChannelHandlerContext ctx,
        @Advice.Argument(2) List<Object> out) {
      if (decoder instanceof HttpRequestDecoder) {
        for (int i = 0, n = out.size(); i < n; i++) {
          if (out.get(i) instanceof HttpRequest) {
            Bridge.beginAsync(ctx.channel());
          }
        }
      }
    }
  }

  /**
   * {@code HttpObjectDecoder.decodeLast}: the connection's input ended (closed or reset); every
   * request still in flight on it (pipelined ones included) ends as an error.
   */
  public static final class DecodeLast {
    private DecodeLast() {}

    @Advice.OnMethodExit(onThrowable = true)
    public static void exit(@Advice.This Object decoder, @Advice.Argument(0) ChannelHandlerContext ctx) {
      if (decoder instanceof HttpRequestDecoder) {
        Bridge.endAll(ctx.channel(), -1, true); // pipelined requests queued behind it too
      }
    }
  }

  /**
   * {@code HttpObjectEncoder.encode}: a response head commits, a last content (a full response
   * included) ends. An interim response (1xx other than 101: {@code 100 Continue}, which Reactor
   * Netty, {@code HttpObjectAggregator} and {@code HttpServerExpectContinueHandler} send as a
   * {@code FullHttpResponse}, or {@code 103 Early Hints}) does neither: the final response follows.
   */
  public static final class Encode {
    private Encode() {}

    @Advice.OnMethodEnter
    public static void enter(
        @Advice.This Object encoder,
        @Advice.Argument(0) ChannelHandlerContext ctx,
        @Advice.Argument(1) Object msg) {
      if (!(encoder instanceof HttpResponseEncoder)) {
        return;
      }
      if (msg instanceof HttpResponse) {
        HttpResponse response = (HttpResponse) msg;
        int code = response.status().code();
        if (code == 101 && "h2c".equalsIgnoreCase(response.headers().get("upgrade"))) {
          // an h2c upgrade: the request goes on as HTTP/2 stream 1 and is counted there (NettyHttp2Advice)
          Bridge.forget(ctx.channel());
          return;
        }
        if (code < 200 && code != 101) {
          return; // interim: its empty last content is not the end of the request
        }
        Bridge.commit(ctx.channel(), code);
      }
      if (msg instanceof LastHttpContent) {
        Bridge.end(ctx.channel(), -1, false);
      }
    }
  }

  /**
   * {@code newChildChannel(int fd, ...)} of Netty's native listening channels ({@code
   * EpollServerSocketChannel}, {@code IoUringServerSocketChannel}): one call per accepted
   * connection, after the accept completed and before the child's pipeline sees it. Not called
   * when the child channel could not be made (the exit advice runs on normal returns only).
   */
  public static final class NativeAccept {
    private NativeAccept() {}

    @Advice.OnMethodExit
    public static void exit(@Advice.Argument(0) int fd, @Advice.Return Object child) {
      if (child != null) {
        // the native channel has no JDK SocketChannel: hand over its descriptor for TCP_INFO
        Bridge.accepted(Integer.valueOf(fd));
      }
    }
  }
}
