package dev.rainbarrel.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code attach <pid> [options]}: loads this jar as an agent into a running JVM through the Attach
 * API, with the same option string as {@code -javaagent}. The agent's own problems (bad options)
 * are printed by the target JVM on its stderr, not here.
 */
@Command(
    name = "attach",
    mixinStandardHelpOptions = true,
    description = "Load the agent into a running JVM (options as for -javaagent: key=value,...).")
final class AttachCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PID", description = "process id of the target JVM")
  String pid;

  @Parameters(index = "1..*", paramLabel = "OPTIONS", arity = "0..*",
      description = "agent options, key=value[,key=value...] (several arguments are joined with ',')")
  List<String> options = List.of();

  @Override
  public Integer call() throws Exception {
    if (!pid.matches("\\d{1,10}")) {
      throw new Main.UsageException("not a process id: '" + pid + "'");
    }
    if (Long.parseLong(pid) == ProcessHandle.current().pid()) {
      throw new Main.UsageException("cannot attach to the CLI's own process " + pid);
    }
    String args = String.join(",", options);
    Path jar = ownJar();
    if (ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
      throw new IOException("no process " + pid);
    }
    VirtualMachine vm;
    try {
      vm = VirtualMachine.attach(pid);
    } catch (AttachNotSupportedException | IOException e) {
      throw new IOException("cannot attach to process " + pid + ": " + e.getMessage()
          + " (it must be a JVM of the same user, started without -XX:+DisableAttachMechanism)");
    }
    try {
      vm.loadAgent(jar.toString(), args.isEmpty() ? null : args);
    } catch (AgentLoadException | AgentInitializationException e) {
      throw new IOException("process " + pid + " refused the agent: " + e.getMessage()
          + " (JDK 21+ may need -XX:+EnableDynamicAgentLoading on the target)");
    } catch (IOException e) {
      throw new IOException("loading the agent into process " + pid + " failed: " + e.getMessage());
    } finally {
      vm.detach();
    }
    spec.commandLine().getOut().println("rainbarrel agent loaded into process " + pid
        + (args.isEmpty() ? "" : " with " + args) + "; problems, if any, are on its stderr");
    return 0;
  }

  private static Path ownJar() throws IOException {
    try {
      Path p = Path.of(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!Files.isRegularFile(p) || !p.toString().endsWith(".jar")) {
        throw new IOException("attach must run from the agent jar (java -jar rainbarrel-agent.jar attach ...), not from " + p);
      }
      return p;
    } catch (URISyntaxException | NullPointerException e) {
      throw new IOException("cannot locate the agent jar: " + e);
    }
  }
}
