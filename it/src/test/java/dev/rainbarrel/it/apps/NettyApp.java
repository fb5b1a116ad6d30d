package dev.rainbarrel.it.apps;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified Netty HTTP server ({@code HttpServerCodec}), NIO, native epoll ({@code
 * -Dtransport=epoll}) or, on Netty 4.2, native io_uring ({@code -Dtransport=io_uring}); {@code
 * /transport} names the listening and the connection's channel classes. Same routes as the other apps; held work is parked in a queue instead of
 * blocking the event loop, and {@code /release} runs one parked action. With {@code
 * -Dit.tlsKeystore=<PKCS12>} an {@code SslHandler} speaks TLS under the codec, on {@link
 * NettyTls#provider}'s engine; {@code /tls} names the connection's ({@link NettyTls#describe}).
 * {@code /ws} is a WebSocket echo: Netty's {@code WebSocketServerProtocolHandler} does the handshake.
 */
public final class NettyApp {

  private static final Queue<Runnable> PARKED = new ConcurrentLinkedQueue<>();
  private static final int RELEASE_TRIES = 1000; // x 5 ms

  public static void main(String[] args) throws Exception {
    String transport = System.getProperty("transport", "nio");
    EventLoopGroup boss;
    EventLoopGroup workers;
    Class<? extends ServerChannel> type;
    switch (transport) {
      case "nio" -> {
        boss = new NioEventLoopGroup(1);
        workers = new NioEventLoopGroup(2);
        type = NioServerSocketChannel.class;
      }
      case "epoll" -> {
        if (!Epoll.isAvailable()) {
          throw new IllegalStateException("epoll unavailable", Epoll.unavailabilityCause());
        }
        boss = new EpollEventLoopGroup(1);
        workers = new EpollEventLoopGroup(2);
        type = EpollServerSocketChannel.class;
      }
      case "io_uring" -> {
        IoUring4x2 uring = new IoUring4x2();
        boss = uring.group(1);
        workers = uring.group(2);
        type = uring.serverChannel();
      }
      default -> throw new IllegalArgumentException("transport " + transport + ": nio, epoll or io_uring");
    }
    SslContext tls = TlsKeystore.enabled()
        ? SslContextBuilder.forServer(TlsKeystore.keyManagerFactory()).sslProvider(NettyTls.provider()).build() : null;
    Channel server = new ServerBootstrap()
        .group(boss, workers)
        .channel(type)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls != null) { // TLS below the codec, as in any Netty HTTPS server
              ch.pipeline().addLast(tls.newHandler(ch.alloc()));
            }
            // HttpServerExpectContinueHandler: Netty's own answer to "Expect: 100-continue"
            // WebSocketServerProtocolHandler passes every request but /ws on; with no HttpObjectAggregator
            // in the pipeline its handshaker aggregates the upgrade request itself
            ch.pipeline().addLast(new HttpServerCodec(), new HttpServerExpectContinueHandler(),
                new WebSocketServerProtocolHandler("/ws"), new WebSocketEcho(), new Handler());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    System.out.println("PORT " + ((InetSocketAddress) server.localAddress()).getPort());
    System.out.flush();
    server.closeFuture().sync();
  }

  /**
   * Netty 4.2's io_uring transport ({@code io.netty.channel.uring}), by reflection: the app also
   * compiles against Netty 4.1, which has none. Fails with Netty's own cause when io_uring is
   * unavailable (kernel, seccomp, {@code io_uring_disabled}, missing native library), never falls
   * back to another transport.
   */
  static final class IoUring4x2 {
    private final ClassLoader loader = NettyApp.class.getClassLoader();
    private final Object handlerFactory;

    IoUring4x2() throws ReflectiveOperationException {
      Class<?> ioUring = Class.forName("io.netty.channel.uring.IoUring", true, loader);
      if (!(Boolean) ioUring.getMethod("isAvailable").invoke(null)) {
        throw new IllegalStateException("io_uring unavailable",
            (Throwable) ioUring.getMethod("unavailabilityCause").invoke(null));
      }
      handlerFactory = Class.forName("io.netty.channel.uring.IoUringIoHandler", true, loader)
          .getMethod("newFactory").invoke(null);
    }

    /** {@code new MultiThreadIoEventLoopGroup(threads, IoUringIoHandler.newFactory())}. */
    EventLoopGroup group(int threads) throws ReflectiveOperationException {
      Class<?> factoryType = Class.forName("io.netty.channel.IoHandlerFactory", true, loader);
      return (EventLoopGroup) Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup", true, loader)
          .getConstructor(int.class, factoryType).newInstance(threads, handlerFactory);
    }

    /** {@code IoUringServerSocketChannel}. */
    Class<? extends ServerChannel> serverChannel() throws ClassNotFoundException {
      return Class.forName("io.netty.channel.uring.IoUringServerSocketChannel", false, loader)
          .asSubclass(ServerChannel.class);
    }
  }

  /** Sends each text message back (HTTP messages pass on to {@link Handler}). */
  static final class WebSocketEcho extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      ctx.writeAndFlush(new TextWebSocketFrame(frame.text()));
    }
  }

  static final class Handler extends SimpleChannelInboundHandler<HttpObject> {
    private boolean echoing; // a POST /echo whose body is arriving (one handler per connection)
    private boolean echoKeepAlive;
    private final StringBuilder echoed = new StringBuilder();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpContent content && echoing) {
        echoed.append(content.content().toString(StandardCharsets.US_ASCII));
        if (msg instanceof LastHttpContent) {
          echoing = false;
          full(ctx, echoKeepAlive, 200, echoed.toString());
          echoed.setLength(0);
        }
      }
      if (!(msg instanceof HttpRequest)) {
        return; // other request bodies are empty in these tests
      }
      if (((HttpRequest) msg).uri().equals("/echo")) {
        echoing = true;
        echoKeepAlive = HttpUtil.isKeepAlive((HttpRequest) msg);
        return; // answered at the body's last content (which may be this same message)
      }
      String uri = ((HttpRequest) msg).uri();
      boolean keepAlive = HttpUtil.isKeepAlive((HttpRequest) msg);
      String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
      switch (path) {
        case "/ok" -> full(ctx, keepAlive, 200, "ok");
        case "/code" -> full(ctx, keepAlive, Integer.parseInt(uri.substring(uri.indexOf("c=") + 2)), "code");
        case "/hold" -> PARKED.add(() -> full(ctx, keepAlive, 200, "held"));
        case "/stream" -> {
          HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
          ctx.write(head);
          ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("first\n", StandardCharsets.US_ASCII)));
          PARKED.add(() -> {
            ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("last\n", StandardCharsets.US_ASCII)));
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
          });
        }
        case "/tls" -> full(ctx, keepAlive, 200, NettyTls.describe(ctx.channel()));
        case "/transport" -> full(ctx, keepAlive, 200, // the listening channel's class, then the connection's
            ctx.channel().parent().getClass().getName() + " " + ctx.channel().getClass().getName());
        case "/slot" -> full(ctx, keepAlive, 200, TrackingKey.describe(ctx.channel())); // the codec hooks' key
        case "/boom" -> throw new IllegalStateException("boom (expected by the test)");
        case "/abort" -> {
          HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
          ctx.writeAndFlush(head);
          chunks(ctx, 2000);
        }
        case "/release" -> release(ctx, keepAlive, RELEASE_TRIES);
        default -> full(ctx, keepAlive, 404, "no route");
      }
    }

    /**
     * Runs one parked action. The agent counts a Netty request from its decoding, so a test can see
     * {@code calling}/{@code writing} move and send {@code /release} before the other event loop has
     * parked the action: wait for it (5 ms steps, bounded) instead of releasing nothing.
     */
    private static void release(ChannelHandlerContext ctx, boolean keepAlive, int triesLeft) {
      Runnable r = PARKED.poll();
      if (r == null && triesLeft > 0) {
        ctx.executor().schedule(() -> release(ctx, keepAlive, triesLeft - 1), 5, TimeUnit.MILLISECONDS);
        return;
      }
      if (r != null) {
        r.run();
      }
      full(ctx, keepAlive, 200, "released");
    }

    private static void chunks(ChannelHandlerContext ctx, int left) {
      if (left == 0 || !ctx.channel().isActive()) {
        return;
      }
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[8192])));
      ctx.executor().schedule(() -> chunks(ctx, left - 1), 10, TimeUnit.MILLISECONDS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // the usual minimal handler: drop the connection
    }
  }

  /** A complete response; the connection stays open only if the request asked for keep-alive. */
  static void full(ChannelHandlerContext ctx, boolean keepAlive, int code, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
        Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    if (keepAlive) {
      ctx.writeAndFlush(r);
    } else {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
