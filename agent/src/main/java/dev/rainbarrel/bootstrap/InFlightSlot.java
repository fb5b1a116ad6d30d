package dev.rainbarrel.bootstrap;

/**
 * A server request class that remembers where the bridge's in-flight table keeps it. The agent
 * adds this interface, one {@code int} field and these two accessors to a server's per-request
 * class when the class is first loaded (the OpenTelemetry agent's "virtual field" idea), so the
 * table finds a request by reading that field instead of by its identity hash: no hash is
 * installed on a new request object and no probing is needed. Classes loaded before the agent
 * (dynamic attach) cannot get a new field and are found by their identity hash as before.
 *
 * <p>Not for application code: the names carry a {@code rainbarrel$} prefix so they never clash
 * with the server's own members.
 */
public interface InFlightSlot {

  /** The slot index plus one at which the table last tracked this object; 0 if never. */
  int rainbarrel$getSlot();

  /** Records the slot index plus one (written by the tracking thread only). */
  void rainbarrel$setSlot(int slotPlusOne);
}
