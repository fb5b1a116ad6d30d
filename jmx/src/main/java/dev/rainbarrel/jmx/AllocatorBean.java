package dev.rainbarrel.jmx;

import dev.rainbarrel.alloc.AllocatorSource;

/** {@link AllocatorMXBean} over an {@link AllocatorSource}. */
final class AllocatorBean implements AllocatorMXBean {
  private final AllocatorSource source;

  AllocatorBean(AllocatorSource source) {
    this.source = source;
  }

  @Override
  public String getName() {
    return source.name();
  }

  @Override
  public String getKind() {
    return source.description();
  }

  @Override
  public long getCapacity() {
    return source.stats().capacity();
  }

  @Override
  public long getUsed() {
    return source.stats().used();
  }

  @Override
  public long getFree() {
    return source.stats().free();
  }

  @Override
  public long getAllocations() {
    return source.stats().allocations();
  }

  @Override
  public long getUnitBytes() {
    return source.stats().bytesPerUnit();
  }

  @Override
  public long getFailures() {
    return source.stats().failures();
  }
}
