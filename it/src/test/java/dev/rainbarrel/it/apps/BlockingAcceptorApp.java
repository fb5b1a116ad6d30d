package dev.rainbarrel.it.apps;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A classic blocking {@code java.net.ServerSocket} server on one thread (accept, read the request
 * head, answer, close): while {@code /slow?ms=N} runs, new connections wait in the kernel's accept
 * queue. Accepts go through the JDK's {@code NioSocketImpl}, the agent's blocking accept hook.
 * Prints {@code PORT n}.
 */
public final class BlockingAcceptorApp {
  public static void main(String[] args) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      System.out.println("PORT " + server.getLocalPort());
      System.out.flush();
      while (true) {
        try (Socket s = server.accept()) {
          String head = readHead(s.getInputStream());
          String path = head.isEmpty() ? "" : head.split(" ", 3)[1];
          String body = "ok";
          if (path.startsWith("/slow?ms=")) {
            Thread.sleep(Long.parseLong(path.substring("/slow?ms=".length())));
            body = "slow";
          }
          OutputStream out = s.getOutputStream();
          out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException e) {
          // a client that went away: next connection
        }
      }
    }
  }

  /** The request head up to the blank line (at most 8 KiB). */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c; sb.length() < 8192 && (c = in.read()) >= 0; ) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.lastIndexOf("\r\n\r\n") == sb.length() - 4) {
        break;
      }
    }
    return sb.toString();
  }
}
