package dev.rainbarrel.it.apps;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The same routes as {@link JdkHttpApp}, as a plain jakarta servlet, plus {@code /async} (completed
 * on another thread) and {@code /async-dispatch} (dispatched back to the container, which answers).
 */
public final class TestServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if ("/echo".equals(req.getRequestURI())) { // reading the body makes the container send 100 Continue
      send(resp, 200, new String(req.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
    } else {
      send(resp, 405, "GET only");
    }
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
    String path = req.getRequestURI();
    switch (path) {
      case "/ok" -> send(resp, 200, "ok");
      case "/thread" -> send(resp, 200, Thread.currentThread().toString());
      case "/slot" -> { // the agent's key: the container's request, wrappers unwrapped (there are none here)
        ServletRequest key = req;
        for (int i = 0; i < 32 && key instanceof ServletRequestWrapper w; i++) {
          key = w.getRequest();
        }
        send(resp, 200, TrackingKey.describe(key));
      }
      case "/code" -> {
        int code = Integer.parseInt(req.getParameter("c"));
        send(resp, code, "code " + code);
      }
      case "/hold" -> {
        await();
        send(resp, 200, "held");
      }
      case "/stream" -> {
        ServletOutputStream out = resp.getOutputStream();
        out.write("first\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        await();
        out.write("last\n".getBytes(StandardCharsets.US_ASCII));
      }
      case "/boom" -> throw new IllegalStateException("boom (expected by the test)");
      case "/abort" -> {
        ServletOutputStream out = resp.getOutputStream();
        byte[] chunk = new byte[8192];
        for (int i = 0; i < 2000; i++) {
          out.write(chunk);
          out.flush();
          sleep(10);
        }
      }
      case "/async" -> {
        AsyncContext ctx = req.startAsync();
        Thread t = new Thread(() -> {
          sleep(150);
          try {
            send((HttpServletResponse) ctx.getResponse(), 200, "async");
          } catch (IOException e) {
            // the test sees the missing body
          }
          ctx.complete();
        }, "async-completer");
        t.start();
      }
      case "/async-dispatch" -> {
        if (req.getDispatcherType() == DispatcherType.ASYNC) {
          send(resp, 200, "dispatched"); // the second dispatch, on the container's thread
        } else {
          AsyncContext ctx = req.startAsync();
          Thread t = new Thread(() -> {
            sleep(150);
            ctx.dispatch();
          }, "async-dispatcher");
          t.start();
        }
      }
      case "/async-timeout" -> {
        if (req.getDispatcherType() == DispatcherType.REQUEST) {
          req.startAsync().setTimeout(300); // never completed: the container times it out (500)
        } else {
          resp.sendError(500, "async timeout"); // the container's ERROR dispatch after the timeout
        }
      }
      case "/forward" -> req.getRequestDispatcher("/ok").forward(req, resp);
      case "/release" -> {
        Gate.release();
        send(resp, 200, "released");
      }
      default -> send(resp, 404, "no route " + path);
    }
  }

  private static void await() throws IOException {
    try {
      Gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static void send(HttpServletResponse resp, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.US_ASCII);
    resp.setStatus(code);
    resp.setContentLength(b.length);
    resp.getOutputStream().write(b);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
