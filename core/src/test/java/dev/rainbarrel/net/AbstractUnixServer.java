package dev.rainbarrel.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A child process (python3) holding an abstract Unix listener with some connections, since Java
 * cannot bind abstract names. It keeps them until {@link #close()} closes its stdin.
 */
final class AbstractUnixServer implements AutoCloseable {

  private static final String SCRIPT =
      "import socket,sys\n"
          + "n=sys.argv[1]; c=int(sys.argv[2]); a=int(sys.argv[3])\n"
          + "l=socket.socket(socket.AF_UNIX); l.bind('\\0'+n); l.listen(16)\n"
          + "cs=[socket.socket(socket.AF_UNIX) for _ in range(c)]\n"
          + "[s.connect('\\0'+n) for s in cs]\n"
          + "acc=[l.accept()[0] for _ in range(a)]\n"
          + "print('ready', flush=True)\n"
          + "sys.stdin.read()\n";

  private final Process process;

  private AbstractUnixServer(Process process) {
    this.process = process;
  }

  static AbstractUnixServer start(String name, int clients, int accepted) throws IOException {
    Process p =
        new ProcessBuilder("python3", "-c", SCRIPT, name, "" + clients, "" + accepted)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    AbstractUnixServer s = new AbstractUnixServer(p);
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine(); // bounded by the test's @Timeout
    if (!"ready".equals(line)) {
      s.close();
      throw new IOException("abstract Unix helper did not start: " + line);
    }
    return s;
  }

  @Override
  public void close() throws IOException {
    process.getOutputStream().close();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
