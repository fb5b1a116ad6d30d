package dev.rainbarrel.it.apps;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;

/**
 * An unmodified Netty HTTP/2 server over cleartext, as Netty's multiplex examples and Reactor Netty
 * build it: h2c upgrade or prior knowledge, then one child channel per stream with {@code
 * Http2StreamFrameToHttpObjectCodec} in front of {@link NettyApp}'s HTTP handler (the same routes).
 * Prints {@code PORT <n>}.
 */
public final class NettyH2cApp {

  public static void main(String[] args) throws Exception {
    EventLoopGroup boss = new NioEventLoopGroup(1);
    EventLoopGroup workers = new NioEventLoopGroup(2);
    Channel server = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            HttpServerCodec http1 = new HttpServerCodec();
            HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(http1, protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                    ? new Http2ServerUpgradeCodec(Http2FrameCodecBuilder.forServer().build(), new Http2MultiplexHandler(streams()))
                    : null);
            ch.pipeline().addLast(new CleartextHttp2ServerUpgradeHandler(http1, upgrade, new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel c) { // prior knowledge
                c.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new Http2MultiplexHandler(streams()));
              }
            }));
            ch.pipeline().addLast(new NettyApp.Handler()); // HTTP/1.1 without an upgrade
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    System.out.println("PORT " + ((InetSocketAddress) server.localAddress()).getPort());
    System.out.flush();
    server.closeFuture().sync();
  }

  /** Each stream: frames to HTTP messages, then the usual handler. */
  private static ChannelInitializer<Channel> streams() {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel stream) {
        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new NettyApp.Handler());
      }
    };
  }
}
