package dev.rainbarrel.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points: {@code -javaagent:rainbarrel-agent.jar[=options]} ({@link #premain})
 * and dynamic attach ({@link #agentmain}).
 *
 * <p>This class references nothing but {@link BootstrapJar}, {@link Installer} and {@link
 * StartupClock}: the bridge
 * classes must reach the bootstrap class path before any class that links against them is loaded,
 * or the application class loader would define a second, unconnected copy. Nothing here may stop
 * the host: every failure becomes one line on stderr and the agent stays off.
 */
public final class RainbarrelAgent {

  private RainbarrelAgent() {}

  /** Called by the JVM before {@code main} for {@code -javaagent}. */
  public static void premain(String args, Instrumentation inst) {
    start(args, inst, false);
  }

  /** Called by the JVM when the agent is loaded into a running VM (Attach API). */
  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst, true);
  }

  private static void start(String args, Instrumentation inst, boolean dynamic) {
    StartupClock clock = new StartupClock();
    try {
      BootstrapJar.install(inst);
      clock.mark("bootstrap");
      Installer.install(args, inst, dynamic, clock);
      clock.report(dynamic ? "agentmain" : "premain");
    } catch (Throwable t) {
      AgentLog.error("agent not started: " + t);
    }
  }
}
