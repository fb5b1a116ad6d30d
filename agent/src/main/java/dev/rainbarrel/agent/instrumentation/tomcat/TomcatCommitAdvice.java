package dev.rainbarrel.agent.instrumentation.tomcat;

import dev.rainbarrel.agent.instrumentation.Advice;
import dev.rainbarrel.bootstrap.Bridge;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * {@code org.apache.coyote.Response.commit()} (Tomcat 10.1.x+; {@code sendHeaders()} in older
 * releases, which the newer ones keep as a delegating alias - the bridge counts one commit per
 * request): Tomcat commits the response.
 *
 * <p>Inside a handler frame the commit belongs to the request this thread is handling. Outside
 * one - an async response written from an application thread (Spring MVC's {@code SseEmitter} or
 * {@code StreamingResponseBody}, WebFlux on Tomcat) - the request is found from the response
 * itself: its coyote request's adapter note is Catalina's request, whose {@code getRequest()} is
 * the servlet request the servlet hooks track. Tomcat's classes are reached through method handles
 * looked up once per class (the agent does not compile against Tomcat, and Tomcat 9's servlet
 * types differ from 10's); an invocation allocates nothing. A request that cannot be found this
 * way (a wrapper Tomcat was told to hand out instead) is not committed: {@code writing} can
 * under-count, never leak.
 */
public final class TomcatCommitAdvice {

  private TomcatCommitAdvice() {}

  /** {@code CoyoteAdapter.ADAPTER_NOTES}: the coyote request's note holding Catalina's request. */
  static final int ADAPTER_NOTES = 1;

  /** {coyote Request class, its getNote(int) as (Object,int)Object}; one immutable pair. */
  private static volatile Object[] noteGetter;

  /** {Catalina Request class, its getRequest() as (Object)Object}; one immutable pair. */
  private static volatile Object[] requestGetter;

  @Advice.OnMethodEnter
  public static void enter(@Advice.FieldValue("status") int status, @Advice.FieldValue("req") Object coyoteRequest) {
    if (!Bridge.commit(null, status)) { // no request on this thread: find it from the response
      Bridge.commit(servletRequestOf(coyoteRequest), status);
    }
  }

  /** The servlet request behind a coyote request, or null. Never throws. */
  static Object servletRequestOf(Object coyoteRequest) {
    if (coyoteRequest == null) {
      return null;
    }
    try {
      Object[] n = noteGetter;
      if (n == null || n[0] != coyoteRequest.getClass()) {
        Class<?> type = coyoteRequest.getClass();
        n = new Object[] {type, MethodHandles.publicLookup().unreflect(type.getMethod("getNote", int.class))
            .asType(MethodType.methodType(Object.class, Object.class, int.class))};
        noteGetter = n;
      }
      Object catalinaRequest = (Object) ((MethodHandle) n[1]).invokeExact(coyoteRequest, ADAPTER_NOTES);
      if (catalinaRequest == null) {
        return null;
      }
      Object[] r = requestGetter;
      if (r == null || r[0] != catalinaRequest.getClass()) {
        Class<?> type = catalinaRequest.getClass();
        r = new Object[] {type, MethodHandles.publicLookup().unreflect(type.getMethod("getRequest"))
            .asType(MethodType.methodType(Object.class, Object.class))};
        requestGetter = r;
      }
      return (Object) ((MethodHandle) r[1]).invokeExact(catalinaRequest);
    } catch (Throwable t) {
      return null; // not the Tomcat this was written for: the commit goes unreported
    }
  }
}
