package dev.rainbarrel.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** {@code rainbarrel.Allocator}: one shared-memory allocator's figures, every period (default 1 s). */
@Name(AllocatorEvent.NAME)
@Label("Allocator")
@Category("Rainbarrel")
@Description("A rainbarrel shared-memory allocator: capacity, use, allocations and failures")
@StackTrace(false)
@Period("1 s")
public final class AllocatorEvent extends Event {
  /** Event name. */
  public static final String NAME = "rainbarrel.Allocator";

  @Label("Name")
  String name;

  @Label("Capacity")
  @Description("Units it can hand out now")
  long capacity;

  @Label("Used")
  @Description("Units in use")
  long used;

  @Label("Free")
  @Description("Units free")
  long free;

  @Label("Used Memory")
  @Description("Bytes in use (Used x unit size); 0 when units have no fixed size")
  @DataAmount(DataAmount.BYTES)
  long usedBytes;

  @Label("Capacity Memory")
  @Description("Bytes of capacity; 0 when units have no fixed size")
  @DataAmount(DataAmount.BYTES)
  long capacityBytes;

  @Label("Allocations")
  @Description("Successful allocations since creation")
  long allocations;

  @Label("Failures")
  @Description("Failed allocations seen by this process")
  long failures;
}
