package dev.rainbarrel.agent.instrumentation.netty;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * Netty's accepted connections, {@code NioSocketChannel} and {@code EpollSocketChannel} (Reactor
 * Netty's too): the tracking key of the HTTP/1.1 codec hooks ({@code ctx.channel()}). They get the
 * in-flight slot field when their class is loaded, so lookups read that field instead of hashing
 * and scanning. Not their base {@code AbstractChannel}: the server's listening channel extends it
 * too and loads it before the listener opens, i.e. possibly before the hooks are installed beside
 * {@code main}; an accepted connection's class loads at the first accept, after them (the agent's
 * start gate holds the listener until then). HTTP/2 stream channels have another base ({@link
 * NettyHttp2Instrumentation}); other transports (kqueue, io_uring) keep the identity hash. No hooks
 * of its own.
 */
public final class NettyChannelInstrumentation implements TypeInstrumentation {

  private static final Set<String> CHANNELS =
      Set.of("io.netty.channel.socket.nio.NioSocketChannel", "io.netty.channel.epoll.EpollSocketChannel");

  @Override
  public String server() {
    return "netty";
  }

  @Override
  public Set<String> typeNames() {
    return CHANNELS;
  }

  @Override
  public Set<String> inFlightKeyTypes() {
    return CHANNELS;
  }

  @Override
  public List<Hook> hooks() {
    return List.of();
  }
}
