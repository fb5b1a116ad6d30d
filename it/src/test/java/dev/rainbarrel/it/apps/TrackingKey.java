package dev.rainbarrel.it.apps;

/**
 * What the apps' {@code /slot} route answers about the request's tracking key, the object the
 * agent's in-flight table keys it by (a servlet request unwrapped, a Netty channel): {@code
 * "<class> slot <n>"} when the key's class got the agent's in-flight slot field ({@code
 * dev.rainbarrel.bootstrap.InFlightSlot}) and {@code n} is the slot the table recorded in it (0:
 * none, i.e. the table never placed it there), {@code "<class> without slot"} when it has no such
 * field (loaded before the agent, or not a slotted class), {@code "<class> without agent"} when no
 * agent is loaded. By reflection only: the apps do not compile against the agent, whose bridge is
 * on the bootstrap class path.
 */
public final class TrackingKey {

  private TrackingKey() {}

  public static String describe(Object key) {
    String name = key.getClass().getName();
    Class<?> slot;
    try {
      slot = Class.forName("dev.rainbarrel.bootstrap.InFlightSlot", false, null);
    } catch (ClassNotFoundException e) {
      return name + " without agent";
    }
    if (!slot.isInstance(key)) {
      return name + " without slot";
    }
    try {
      return name + " slot " + slot.getMethod("rainbarrel$getSlot").invoke(key);
    } catch (ReflectiveOperationException e) {
      return name + " slot unreadable (" + e + ")";
    }
  }
}
