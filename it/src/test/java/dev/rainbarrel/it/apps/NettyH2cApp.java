package dev.rainbarrel.it.apps;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
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
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;

/**
 * An unmodified Netty HTTP/2 server over cleartext, as Netty's multiplex examples and Reactor Netty
 * build it: h2c upgrade or prior knowledge, then one child channel per stream with {@code
 * Http2StreamFrameToHttpObjectCodec} in front of {@link NettyApp}'s HTTP handler (the same routes).
 * With {@code -Dit.tlsKeystore=<PKCS12>} it speaks TLS instead (the JDK provider, or Netty's OpenSSL
 * engine: {@link NettyTls#provider}), where ALPN picks h2 (the same streams) or HTTP/1.1, as Netty's
 * HTTP/2 TLS example does. Prints {@code PORT <n>}.
 */
public final class NettyH2cApp {

  public static void main(String[] args) throws Exception {
    EventLoopGroup boss = new NioEventLoopGroup(1);
    EventLoopGroup workers = new NioEventLoopGroup(2);
    SslContext tls = TlsKeystore.enabled() ? tls() : null;
    Channel server = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls != null) {
              ch.pipeline().addLast(tls.newHandler(ch.alloc()), new Negotiated());
              return;
            }
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

  /** A server context that offers h2 and HTTP/1.1 by ALPN, with HTTP/2's allowed ciphers. */
  private static SslContext tls() throws Exception {
    return SslContextBuilder.forServer(TlsKeystore.keyManagerFactory())
        .sslProvider(NettyTls.provider())
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
        .build();
  }

  /** After the handshake: the HTTP/2 streams for h2, else (no ALPN too) {@link NettyApp}'s HTTP/1.1. */
  private static final class Negotiated extends ApplicationProtocolNegotiationHandler {
    Negotiated() {
      super(ApplicationProtocolNames.HTTP_1_1);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        ctx.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new Http2MultiplexHandler(streams()));
      } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
        ctx.pipeline().addLast(new HttpServerCodec(), new NettyApp.Handler());
      } else {
        throw new IllegalStateException("unknown protocol: " + protocol);
      }
    }
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
