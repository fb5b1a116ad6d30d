package dev.rainbarrel.agent.instrumentation.tomcat;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.rainbarrel.agent.instrumentation.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Tomcat's response commit, for {@code writing} (requests themselves come from the servlet hooks). */
public final class TomcatCommitInstrumentation implements TypeInstrumentation {

  @Override
  public String server() {
    return "tomcat";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("org.apache.coyote.Response");
  }

  @Override
  public List<Hook> hooks() {
    return List.of(new Hook(named("commit").or(named("sendHeaders")).and(takesArguments(0)),
        "dev.rainbarrel.agent.instrumentation.tomcat.TomcatCommitAdvice"));
  }
}
