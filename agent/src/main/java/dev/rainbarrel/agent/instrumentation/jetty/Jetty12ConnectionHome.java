package dev.rainbarrel.agent.instrumentation.jetty;

import java.util.function.Function;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Where the bridge places Jetty 12's request objects ({@code HttpChannelState.ChannelRequest}, a
 * new one per request): near their HTTP/1 connection, which serves one request at a time and
 * lives for many, so the JVM installs one identity hash per connection instead of one per
 * request. Requests of other protocols (HTTP/2 and /3 multiplex many on a connection) stay
 * where their own hash puts them. The answer depends only on the request's final connection
 * field, so it is the same every time it is asked. Injected into Jetty's class loader.
 */
public final class Jetty12ConnectionHome implements Function<Object, Object> {

  /** The one instance, registered with the bridge by the request constructor's advice. */
  public static final Jetty12ConnectionHome INSTANCE = new Jetty12ConnectionHome();

  private Jetty12ConnectionHome() {}

  @Override
  public Object apply(Object request) {
    try {
      ConnectionMetaData connection = ((Request) request).getConnectionMetaData();
      return connection instanceof HttpConnection ? connection : request;
    } catch (Throwable t) { // never fail the lookup: the request itself is always a valid answer
      return request;
    }
  }
}
