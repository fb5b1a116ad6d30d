package dev.rainbarrel.iobuf;

/** A bounded {@link Pool} could not hand out a chunk without exceeding its byte limit. */
public final class PoolLimitException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  PoolLimitException(String message) {
    super(message);
  }
}
