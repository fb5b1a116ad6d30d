package dev.rainbarrel.jmx;

/** {@code rainbarrel:type=Counters}: the server's counters as the shared file holds them. */
@Description("rainbarrel counters from the shared file: gauges summed over live processes, "
    + "counters as stored (64-bit, unsigned wrap)")
public interface CountersMXBean {

  /** calling. */
  @Description("Requests inside a handler now (gauge 'calling', summed over live processes)")
  long getCalling();

  /** writing. */
  @Description("Responses committed (headers sent) and not yet complete (gauge 'writing')")
  long getWriting();

  /** requests. */
  @Description("Completed requests (counter 'requests')")
  long getRequests();

  /** accepted. */
  @Description("Connections accepted (counter 'accepted')")
  long getAccepted();

  /** errors. */
  @Description("Requests that ended with an exception or an aborted response (counter 'errors')")
  long getErrors();

  /** 1xx. */
  @Description("Responses with a 1xx status (counter 'responses_1xx')")
  long getResponses1xx();

  /** 2xx. */
  @Description("Responses with a 2xx status (counter 'responses_2xx')")
  long getResponses2xx();

  /** 3xx. */
  @Description("Responses with a 3xx status (counter 'responses_3xx')")
  long getResponses3xx();

  /** 4xx. */
  @Description("Responses with a 4xx status (counter 'responses_4xx')")
  long getResponses4xx();

  /** 5xx. */
  @Description("Responses with a 5xx status (counter 'responses_5xx')")
  long getResponses5xx();

  /** ListenOverflows. */
  @Description("Host TcpExt ListenOverflows (/proc/net/netstat) at the watcher's latest round: "
      + "connections dropped because an accept queue was full")
  long getListenOverflows();

  /** ListenDrops. */
  @Description("Host TcpExt ListenDrops at the watcher's latest round: every drop at a listener")
  long getListenDrops();

  /** Every counter. */
  @Description("Every unlabelled counter and gauge in the shared file, name to value")
  java.util.Map<String, Long> getAll();
}
