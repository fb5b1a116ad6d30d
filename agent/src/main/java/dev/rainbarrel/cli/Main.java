package dev.rainbarrel.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command-line tool: {@code java -jar rainbarrel-agent.jar <command>}.
 *
 * <p>Exit codes are part of the contract: 0 ok, 2 usage error, 1 any other failure. Every failure
 * prints exactly one line on stderr naming what was wrong; no stack traces reach the user.
 */
@Command(
    name = "rainbarrel",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Live server counters in shared memory: read them, list them, attach the agent.",
    subcommands = {
      ListCommand.class,
      StatCommand.class,
      DemoCommand.class,
      ListenCommand.class,
      AttachCommand.class,
    })
public final class Main implements Runnable {

  /** Exit code for a usage error (bad option, bad argument). */
  public static final int EXIT_USAGE = 2;
  /** Exit code for any other failure. */
  public static final int EXIT_FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    System.exit(code); // the CLI's own JVM, never the agent's host
  }

  /** Runs the CLI with the given streams and returns the exit code (used by tests in-process). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExpandAtFiles(false); // "@name" is an abstract Unix socket address, not an @argfile
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("rainbarrel: " + ex.getMessage());
          err.flush();
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof UsageException) {
            err.println("rainbarrel: " + ex.getMessage());
            err.flush();
            return EXIT_USAGE;
          }
          String msg = ex.getMessage() != null ? ex.getMessage() : ex.toString();
          err.println("rainbarrel: " + msg.replace('\n', ' '));
          err.flush();
          return EXIT_FAILURE;
        });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (try --help)");
  }

  /** Thrown by commands for a usage error found after parsing (exit code 2). */
  public static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"rainbarrel " + (v == null ? "dev" : v)};
    }
  }
}
