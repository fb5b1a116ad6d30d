package dev.rainbarrel.agent;

/**
 * The agent's only output: single lines on stderr prefixed with {@code rainbarrel:}. Deliberately
 * not {@code java.util.logging}: touching JUL at premain would initialise the {@code LogManager}
 * before containers such as WildFly install their own.
 */
public final class AgentLog {

  private AgentLog() {}

  /** Prints one line (newlines in {@code message} are flattened). */
  public static void error(String message) {
    try {
      System.err.println("rainbarrel: " + message.replace('\n', ' ').replace('\r', ' '));
    } catch (Throwable ignored) {
      // stderr unusable: the host must not notice
    }
  }
}
