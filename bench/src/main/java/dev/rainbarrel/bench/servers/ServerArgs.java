package dev.rainbarrel.bench.servers;

/**
 * The one argument every hello-world server takes: the loopback port to bind ({@code 0} picks a
 * free one). A bad value is one line on stderr naming it, and exit code 2.
 */
final class ServerArgs {
  /** The body every server answers {@code GET /} with. */
  static final byte[] BODY = "hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private ServerArgs() {}

  static int port(String name, String[] args) {
    if (args.length != 1) {
      System.err.println("usage: " + name + " PORT   (0 = any free port; binds 127.0.0.1)");
      System.exit(2);
    }
    try {
      int p = Integer.parseInt(args[0]);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      System.err.println(name + ": bad port '" + args[0] + "' (expected 0-65535)");
      System.exit(2);
      return -1;
    }
  }

  /** The line the load scripts wait for; printed once the listener accepts connections. */
  static void ready(int port) {
    System.out.println("READY " + port);
    System.out.flush();
  }
}
