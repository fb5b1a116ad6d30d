package dev.rainbarrel.bench.startup;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Startup-time app for {@code bench/startup.sh}: Spring Boot 3 (spring-boot-starter-web, embedded
 * Tomcat) with one {@code @RestController} answering {@code GET /} with {@code hello}, bound to
 * 127.0.0.1 on the port given as the only argument. Run from a plain class path, as an IDE or
 * {@code spring-boot:run} would.
 */
@SpringBootApplication
@RestController
public class SpringHello {

  /** @param args the port to bind on 127.0.0.1 */
  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: SpringHello PORT");
    }
    SpringApplication.run(SpringHello.class,
        "--server.port=" + Integer.parseInt(args[0]), "--server.address=127.0.0.1");
  }

  /** The one endpoint. */
  @GetMapping("/")
  public String hello() {
    return "hello";
  }
}
