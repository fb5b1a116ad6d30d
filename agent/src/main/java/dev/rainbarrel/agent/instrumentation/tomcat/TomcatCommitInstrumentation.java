package dev.rainbarrel.agent.instrumentation.tomcat;

import dev.rainbarrel.agent.instrumentation.MethodMatch;
import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/** Tomcat's response commit, for {@code writing} (requests themselves come from the servlet hooks). */
public final class TomcatCommitInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "tomcat";
  }

  @Override
  public Set<String> typeNames() {
    return Set.of("org.apache.coyote.Response");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        new Hook(MethodMatch.named("commit", 0), "dev.rainbarrel.agent.instrumentation.tomcat.TomcatCommitAdvice"),
        new Hook(MethodMatch.named("sendHeaders", 0), "dev.rainbarrel.agent.instrumentation.tomcat.TomcatCommitAdvice"));
  }
}
