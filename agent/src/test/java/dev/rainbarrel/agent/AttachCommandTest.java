package dev.rainbarrel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The {@code attach} command's argument checks (the real attach is proven by the ITs). */
class AttachCommandTest {

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void aPidThatIsNotANumberIsAUsageError() {
    String[] r = run("attach", "tomcat");
    assertEquals("2", r[0]);
    assertTrue(r[2].startsWith("rainbarrel: ") && r[2].contains("'tomcat'"), r[2]);
    assertEquals(1, r[2].trim().lines().count(), r[2]);
  }

  @Test
  void attachingToItselfIsRefused() {
    String[] r = run("attach", Long.toString(ProcessHandle.current().pid()));
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("own process"), r[2]);
  }

  @Test
  void aMissingPidIsRequired() {
    String[] r = run("attach");
    assertEquals("2", r[0]);
    assertTrue(r[2].startsWith("rainbarrel: "), r[2]);
  }
}
