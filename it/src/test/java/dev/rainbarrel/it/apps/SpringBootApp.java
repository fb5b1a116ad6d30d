package dev.rainbarrel.it.apps;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * An unmodified Spring Boot 3 web application on its embedded Tomcat: the same routes through
 * Spring MVC ({@code /async} is an MVC {@link Callable}, i.e. servlet async + an ASYNC dispatch;
 * {@code /boom} goes through Boot's {@code /error} ERROR dispatch). Prints {@code PORT <n>}.
 */
@SpringBootApplication
@RestController
public class SpringBootApp {

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(SpringBootApp.class);
    app.setDefaultProperties(Map.of(
        "server.port", "0",
        "server.address", "127.0.0.1",
        "spring.main.banner-mode", "off",
        "logging.level.root", "WARN"));
    ServletWebServerApplicationContext ctx = (ServletWebServerApplicationContext) app.run(args);
    System.out.println("PORT " + ctx.getWebServer().getPort());
    System.out.flush();
  }

  @GetMapping("/ok")
  public String ok() {
    return "ok";
  }

  @GetMapping("/thread")
  public String thread() {
    return Thread.currentThread().toString();
  }

  @GetMapping("/code")
  public ResponseEntity<String> code(@RequestParam("c") int c) {
    return ResponseEntity.status(c).body("code " + c);
  }

  @GetMapping("/hold")
  public String hold() throws InterruptedException {
    Gate.await();
    return "held";
  }

  @GetMapping("/stream")
  public void stream(HttpServletResponse resp) throws IOException, InterruptedException {
    ServletOutputStream out = resp.getOutputStream();
    out.write("first\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    Gate.await();
    out.write("last\n".getBytes(StandardCharsets.US_ASCII));
  }

  @GetMapping("/async")
  public Callable<String> async() {
    return () -> {
      Thread.sleep(150);
      return "async";
    };
  }

  @GetMapping("/boom")
  public String boom() {
    throw new IllegalStateException("boom (expected by the test)");
  }

  @GetMapping("/abort")
  public void abort(HttpServletResponse resp) throws IOException, InterruptedException {
    ServletOutputStream out = resp.getOutputStream();
    byte[] chunk = new byte[8192];
    for (int i = 0; i < 2000; i++) {
      out.write(chunk);
      out.flush();
      Thread.sleep(10);
    }
  }

  @GetMapping("/release")
  public String release() {
    Gate.release();
    return "released";
  }
}
