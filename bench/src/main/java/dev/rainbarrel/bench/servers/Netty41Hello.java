package dev.rainbarrel.bench.servers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;

/**
 * Hello-world Netty 4.1 HTTP server (NIO transport, {@link HttpServerCodec}) for the load test:
 * every request gets a {@code hello\n} {@link FullHttpResponse} with a Content-Length; the
 * connection stays open when the request asks for keep-alive (HTTP/1.1 default). One boss
 * thread and Netty's default number of worker event loops.
 *
 * <p>Usage: {@code java -cp ... dev.rainbarrel.bench.servers.Netty41Hello PORT}; prints
 * {@code READY <port>} when listening on 127.0.0.1.
 */
public final class Netty41Hello {

  private Netty41Hello() {}

  public static void main(String[] args) throws InterruptedException {
    int port = ServerArgs.port("Netty41Hello", args);
    EventLoopGroup boss = new NioEventLoopGroup(1);
    EventLoopGroup workers = new NioEventLoopGroup();
    try {
      Channel ch = new ServerBootstrap()
          .group(boss, workers)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
              c.pipeline().addLast(new HttpServerCodec(), new Hello());
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
      ServerArgs.ready(((InetSocketAddress) ch.localAddress()).getPort());
      ch.closeFuture().sync();
    } finally {
      boss.shutdownGracefully();
      workers.shutdownGracefully();
    }
  }

  /** Answers each decoded request head; body chunks (none for GET) are dropped. */
  private static final class Hello extends SimpleChannelInboundHandler<HttpObject> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (!(msg instanceof HttpRequest)) {
        return;
      }
      HttpRequest req = (HttpRequest) msg;
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.OK,
          Unpooled.wrappedBuffer(ServerArgs.BODY));
      res.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, ServerArgs.BODY.length);
      if (keepAlive) {
        if (!req.protocolVersion().isKeepAliveDefault()) {
          res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.write(res);
      } else {
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.write(res).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
