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
    return source.stats().unitBytes();
  }

  @Override
  public long getFailures() {
    return source.stats().failures();
  }

  @Override
  public long getFrees() {
    return source.stats().frees();
  }

  @Override
  public long getDiscarded() {
    return source.stats().discarded();
  }

  @Override
  public long getLiveProcesses() {
    return source.stats().liveProcesses();
  }

  @Override
  public long getReclaimed() {
    return source.stats().reclaimed();
  }
}
