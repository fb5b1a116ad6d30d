package dev.rainbarrel.agent.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.rainbarrel.bootstrap.Bridge;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The async advice registers its listener once per request, although containers delegate {@code
 * startAsync} between woven methods (Tomcat: {@code RequestFacade.startAsync()} → {@code
 * Request.startAsync()} → {@code Request.startAsync(request, response)}, each leaving through the
 * advice), and again for the next request that reuses the recycled async context.
 */
class StartAsyncAdviceTest {

  /** A proxy of {@code type} that records the arguments of every {@code addListener} call. */
  private static <T> T recording(Class<T> type, List<Object[]> calls) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
      if (method.getName().equals("addListener")) {
        calls.add(args);
      }
      return method.getName().equals("hashCode") ? System.identityHashCode(proxy)
          : method.getName().equals("equals") ? proxy == args[0] : null;
    }));
  }

  private static <T> T dummy(Class<T> type) {
    return recording(type, new ArrayList<>());
  }

  @Test
  void jakartaListenerIsRegisteredOncePerRequestThroughNestedStartAsync() {
    List<Object[]> calls = new ArrayList<>();
    jakarta.servlet.AsyncContext context = recording(jakarta.servlet.AsyncContext.class, calls);
    jakarta.servlet.ServletRequest request = dummy(jakarta.servlet.ServletRequest.class);
    jakarta.servlet.ServletResponse response = dummy(jakarta.servlet.ServletResponse.class);

    Bridge.enter(request, response, false);
    JakartaStartAsyncAdvice.exit(context); // the inner startAsync(request, response) returns
    JakartaStartAsyncAdvice.exit(context); // the outer startAsync() returns the same context
    JakartaStartAsyncAdvice.exit(context); // the facade's startAsync()
    Bridge.exit();
    assertEquals(1, calls.size(), "listener registrations in one request");
    assertSame(JakartaAsyncListener.INSTANCE, calls.get(0)[0]);
    assertSame(request, calls.get(0)[1]);

    Bridge.enter(request, response, false); // the next request on the recycled request and context
    JakartaStartAsyncAdvice.exit(context);
    Bridge.exit();
    assertEquals(2, calls.size(), "the next request registers again");

    JakartaStartAsyncAdvice.exit(context); // outside any handler frame: nothing to register
    assertEquals(2, calls.size());
  }

  @Test
  void javaxListenerIsRegisteredOncePerRequestThroughNestedStartAsync() {
    List<Object[]> calls = new ArrayList<>();
    javax.servlet.AsyncContext context = recording(javax.servlet.AsyncContext.class, calls);
    javax.servlet.AsyncContext another = recording(javax.servlet.AsyncContext.class, calls);
    javax.servlet.ServletRequest request = dummy(javax.servlet.ServletRequest.class);
    javax.servlet.ServletResponse response = dummy(javax.servlet.ServletResponse.class);

    Bridge.enter(request, response, false);
    JavaxStartAsyncAdvice.exit(context);
    JavaxStartAsyncAdvice.exit(context);
    Bridge.exit();
    assertEquals(1, calls.size(), "listener registrations in one request");

    Bridge.enter(request, response, false);
    JavaxStartAsyncAdvice.exit(another); // a container that makes a new context per request
    Bridge.exit();
    assertEquals(2, calls.size(), "the next request registers again");
  }
}
