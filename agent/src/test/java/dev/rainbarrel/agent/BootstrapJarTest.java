package dev.rainbarrel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.agent.instrumentation.Instrumentations;
import org.junit.jupiter.api.Test;

/** Which class files go on the bootstrap path (the class-directory build used by unit tests). */
class BootstrapJarTest {

  @Test
  void theBridgePackageAndTheJdkAdviceOnly() {
    assertTrue(BootstrapJar.wanted("dev/rainbarrel/bootstrap/Bridge.class"));
    assertTrue(BootstrapJar.wanted("dev/rainbarrel/bootstrap/Bridge$ThreadState.class"));
    assertTrue(BootstrapJar.wanted("dev/rainbarrel/agent/instrumentation/accept/AcceptAdvice$FinishAccept.class"));
    assertTrue(BootstrapJar.wanted("dev/rainbarrel/agent/instrumentation/jdkhttp/JdkHttpAdvice.class"));
    assertFalse(BootstrapJar.wanted("dev/rainbarrel/agent/instrumentation/accept/JdkAcceptInstrumentation.class"));
    assertFalse(BootstrapJar.wanted("dev/rainbarrel/agent/instrumentation/jdkhttp/JdkHttpAdviceOther.class"));
    assertFalse(BootstrapJar.wanted("dev/rainbarrel/bootstrap/sub/Other.class"));
    assertFalse(BootstrapJar.wanted("dev/rainbarrel/bootstrap/notes.txt"));
    assertEquals(2, Instrumentations.JDK_ADVICE.size(), "the agent pom's bridge-jar includes list the same two");
  }
}
