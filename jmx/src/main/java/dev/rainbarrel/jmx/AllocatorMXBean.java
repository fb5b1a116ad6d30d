package dev.rainbarrel.jmx;

/** {@code rainbarrel:type=Allocator,name=<name>}: a shared-memory allocator. */
@Description("A rainbarrel shared-memory allocator")
public interface AllocatorMXBean {

  /** Name. */
  @Description("Allocator name")
  String getName();

  /** What. */
  @Description("What the allocator hands out")
  String getKind();

  /** capacity. */
  @Description("Units it can hand out now (grows when the file grows)")
  long getCapacity();

  /** used. */
  @Description("Units in use now")
  long getUsed();

  /** free. */
  @Description("Units free now (Capacity - Used)")
  long getFree();

  /** allocations. */
  @Description("Successful allocations since creation (all processes sharing the file)")
  long getAllocations();

  /** unit size. */
  @Description("Bytes per unit (64 for barrel slots); 0 when units have no fixed size")
  long getUnitBytes();

  /** failures. */
  @Description("Failed allocations seen by this process")
  long getFailures();

  /** frees. */
  @Description("Frees since creation")
  long getFrees();

  /** discarded. */
  @Description("Units lost to fragmentation or discarded as too small to reuse")
  long getDiscarded();

  /** live processes. */
  @Description("Processes attached to the allocator's memory and still alive")
  long getLiveProcesses();

  /** reclaimed. */
  @Description("Units reclaimed from processes that died while holding them")
  long getReclaimed();
}
