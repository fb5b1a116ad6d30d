package dev.rainbarrel.agent.instrumentation.webflux;

import dev.rainbarrel.agent.instrumentation.Advice;
import dev.rainbarrel.bootstrap.Bridge;
import java.lang.reflect.Method;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Entry of {@code WebExceptionHandler.handle(exchange, error)}: an unhandled handler exception
 * marks the exchange's request failed ({@link Bridge#markError}), so it ends as an error with the
 * status it is answered with (Boot's 500), once, like a servlet handler exception.
 *
 * <p>Not marked:
 *
 * <ul>
 *   <li>exceptions that carry their own status ({@code ResponseStatusException} and the other
 *       {@code ErrorResponse}s such as the 404 of an unmapped path, 400s of bad input, and
 *       classes annotated {@code @ResponseStatus}): Spring MVC resolves them inside the
 *       {@code DispatcherServlet}, so the servlet rows do not count them as errors either;
 *   <li>errors after the response was committed: the exchange cannot be answered any more,
 *       Reactor Netty closes the connection and the codec hooks end the request as an error.
 *       (Marking then could also reach the next request pipelined on the connection, once a
 *       complete response has ended this one.)
 * </ul>
 *
 * <p>On a servlet container the key is the servlet hooks' (see {@link #servletKeyOf}); on Undertow's
 * own adapter it is the native request, Undertow's exchange. On Reactor
 * Netty it is its {@code Channel}, the one the codec hooks track: the exchange's
 * native request ({@code HttpServerOperations}) is a {@code reactor.netty.Connection}, whose
 * {@code channel()} is called by reflection so that WebFlux on other servers (no Reactor Netty
 * on the class path) never links against it; the lookup is cached per native request class. This
 * runs on error paths only, and nothing it throws reaches the host or turns recording off.
 */
public final class WebFluxErrorAdvice {

  private WebFluxErrorAdvice() {}

  /** The Reactor Netty connection type, by name. */
  static final String CONNECTION = "reactor.netty.Connection";

  /** {@code ErrorResponse} (Spring 6+), by name: Spring 5 does not have it. */
  static final String ERROR_RESPONSE = "org.springframework.web.ErrorResponse";

  /**
   * The last lookup: {native request class, its {@code Connection.channel()} or null}. One
   * immutable pair, so racing threads see a consistent one.
   */
  private static volatile Object[] channelAccessor;

  @Advice.OnMethodEnter
  public static void enter(@Advice.Argument(0) ServerWebExchange exchange, @Advice.Argument(1) Throwable error) {
    try {
      if (exchange == null || error == null || carriesStatus(error) || exchange.getResponse().isCommitted()) {
        return;
      }
      Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
      Object channel = channelOf(nativeRequest);
      Object key = channel != null ? channel
          : isNamed(nativeRequest, UNDERTOW_EXCHANGE) ? nativeRequest // the Undertow hooks' own key
          : servletKeyOf(nativeRequest);
      if (key != null) {
        Bridge.markError(key);
      }
    } catch (Throwable ignored) {
      // an exchange of a kind not known here (another server, a mock): nothing to mark
    }
  }

  /** Whether Spring answers {@code error} with a status it carries (not a handler failure). */
  static boolean carriesStatus(Throwable error) {
    if (error instanceof ResponseStatusException || implementsNamed(error.getClass(), ERROR_RESPONSE)) {
      return true;
    }
    return AnnotatedElementUtils.hasAnnotation(error.getClass(), ResponseStatus.class);
  }

  /** WebFlux on Undertow's own {@code HttpHandler} (no servlet): the exchange is the native request and the key. */
  static final String UNDERTOW_EXCHANGE = "io.undertow.server.HttpServerExchange";

  /** Whether {@code o} is an instance of the class called {@code name} (exactly: the exchange class is final). */
  static boolean isNamed(Object o, String name) {
    return o != null && o.getClass().getName().equals(name);
  }

  /** The servlet request types, by name: WebFlux also runs on servlet containers (Tomcat, Jetty, Undertow). */
  static final String[] SERVLET_REQUEST = {"jakarta.servlet.ServletRequest", "javax.servlet.ServletRequest"};

  /** The servlet request wrapper types, by name. */
  static final String[] SERVLET_REQUEST_WRAPPER = {"jakarta.servlet.ServletRequestWrapper", "javax.servlet.ServletRequestWrapper"};

  /** Where the startAsync advice leaves the key on containers that track another object (see the async listeners). */
  static final String KEY_ATTRIBUTE = dev.rainbarrel.agent.instrumentation.servlet.JakartaAsyncListener.KEY_ATTRIBUTE;

  /**
   * The tracking key of a servlet container's native request (WebFlux on Tomcat, Jetty or
   * Undertow runs as an async servlet): the key the startAsync advice left in the request's
   * attributes, else the request itself with its wrappers taken off (the servlet hooks' key), or
   * null for a request that is not a servlet request. Reflection, by name, so that WebFlux on
   * Reactor Netty never links the servlet API; error paths only.
   */
  static Object servletKeyOf(Object nativeRequest) throws ReflectiveOperationException {
    if (nativeRequest == null) {
      return null;
    }
    for (int ns = 0; ns < SERVLET_REQUEST.length; ns++) {
      Class<?> api = findNamed(nativeRequest.getClass(), SERVLET_REQUEST[ns]);
      if (api == null) {
        continue;
      }
      Object key = api.getMethod("getAttribute", String.class).invoke(nativeRequest, KEY_ATTRIBUTE);
      if (key != null) {
        return key;
      }
      Object request = nativeRequest;
      for (int i = 0; i < 32; i++) {
        Class<?> wrapper = findNamed(request.getClass(), SERVLET_REQUEST_WRAPPER[ns]);
        if (wrapper == null) {
          break;
        }
        request = wrapper.getMethod("getRequest").invoke(request);
      }
      return request;
    }
    return null;
  }

  /** The {@code Channel} of a Reactor Netty native request, or null for any other server. */
  static Object channelOf(Object nativeRequest) throws ReflectiveOperationException {
    if (nativeRequest == null) {
      return null;
    }
    Class<?> type = nativeRequest.getClass();
    Object[] accessor = channelAccessor;
    if (accessor == null || accessor[0] != type) {
      Class<?> connection = findNamed(type, CONNECTION);
      accessor = new Object[] {type, connection == null ? null : connection.getMethod("channel")};
      channelAccessor = accessor;
    }
    Method channel = (Method) accessor[1];
    return channel == null ? null : channel.invoke(nativeRequest);
  }

  private static boolean implementsNamed(Class<?> type, String name) {
    return findNamed(type, name) != null;
  }

  /** {@code type} or its super class or interface called {@code name}, or null (bounded walk). */
  private static Class<?> findNamed(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      Class<?> found = findInterface(c, name, 0);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static Class<?> findInterface(Class<?> type, String name, int depth) {
    if (type.getName().equals(name)) {
      return type;
    }
    if (depth < 16) {
      for (Class<?> i : type.getInterfaces()) {
        Class<?> found = findInterface(i, name, depth + 1);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
