package dev.rainbarrel.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points: {@code -javaagent:rainbarrel-agent.jar[=options]} ({@link #premain})
 * and dynamic attach ({@link #agentmain}).
 *
 * <p>The bridge classes must reach the bootstrap class path before any class that links against
 * them is loaded, or the application class loader would define a second, unconnected copy: so
 * this class and what premain loads ({@link AgentOptions}, {@link BackgroundStart}, {@link
 * StartGate}, {@link QuietPeriod}, {@link ShutdownCleanup}) link none of them. On attach {@link BootstrapJar} runs
 * here, first; for {@code -javaagent} it is the first step of {@link BackgroundStart}, off the
 * premain thread, because every millisecond of premain delays the host's {@code main} (copying
 * the bridge jar out of the agent jar was 25-35 of premain's 40-50 ms). Nothing here may stop the
 * host: every failure becomes one line on stderr and the agent stays off.
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
      if (dynamic) {
        BootstrapJar.install(inst);
        clock.mark("bootstrap");
        Installer.attach(options(args), inst, clock);
      } else { // the bridge, the Barrel, the hooks and the services go beside main; StartGate holds the first listener
        BackgroundStart.start(options(args), inst);
        clock.mark("background");
      }
      clock.report(dynamic ? "agentmain" : "premain");
    } catch (Throwable t) {
      AgentLog.error("agent not started: " + t);
    }
  }

  /** Parses the options and prints one line per problem (premain and attach alike). */
  private static AgentOptions options(String args) {
    AgentOptions options = AgentOptions.parse(args);
    for (String problem : options.problems()) {
      AgentLog.error(problem);
    }
    return options;
  }
}
