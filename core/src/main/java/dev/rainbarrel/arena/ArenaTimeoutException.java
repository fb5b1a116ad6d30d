package dev.rainbarrel.arena;

/**
 * A bounded wait inside the arena ran out: another live process holds a step of the protocol
 * open for longer than {@link Arena.Options#waitTimeout}. The message says which step, at which
 * offset, and which process; the arena is left consistent and the operation may be retried.
 */
public final class ArenaTimeoutException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  ArenaTimeoutException(String message) {
    super(message);
  }
}
