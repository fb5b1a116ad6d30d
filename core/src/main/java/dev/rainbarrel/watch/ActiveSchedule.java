package dev.rainbarrel.watch;

/**
 * Decides which watcher rounds count {@code active} (a "full" round: the kernel walks every
 * connection of the host) and which sample only the listening sockets ({@code queued}, {@code
 * backlog}: a "queue" round, cheap), so that the watcher's average CPU per round stays within a
 * budget.
 *
 * <p>Each round reports the CPU it used. With {@code b} the budget per round (fraction of a core
 * times the interval), {@code q} the cost of a queue round (a moving average) and {@code f} the
 * cost of the latest full round, full rounds are spaced {@code k} rounds apart:
 *
 * <pre>
 *   k = ceil((f - q) / max(b - q, b / 4)),  clamped to [1, maxRounds] (or [1, hardMaxRounds], below)
 * </pre>
 *
 * so that the average per round, {@code q + (f - q) / k}, is at most {@code b} unless the
 * staleness bound {@code maxRounds} wins. The bound wins only while it keeps that average within
 * {@code 1.25 b} (0.1 % of a core for the default 0.08 %: issue 5's target): a host with many
 * connections makes a full round cost milliseconds, and then the budget spaces them, up to the
 * hard bound {@code hardMaxRounds}. When queue rounds alone use most of the budget (discovery
 * and {@code /proc} cost something too), counting {@code active} still gets a quarter of it: the
 * watcher then exceeds its budget by at most {@code b / 4} rather than leaving {@code active} at
 * the staleness bound for a small saving (and the bound is not relaxed then: it would not bring
 * the watcher within its target). Cheap full rounds (netlink on a quiet host) give {@code
 * k = 1}: every round counts {@code active}. The spacing is counted in rounds, not wall time, so
 * it is the same whether rounds run on the timer or back to back (benchmarks, tests). Not
 * thread-safe (the watcher calls it under its round lock).
 */
final class ActiveSchedule {

  /** Least share of the budget that counting {@code active} gets (see the class comment). */
  static final double ACTIVE_SHARE = 0.25;
  /**
   * How far over the budget the staleness bound may hold the watcher before it yields to the
   * budget: 1.25 times 0.08 % is issue 5's 0.1 %.
   */
  static final double BOUND_YIELDS_ABOVE = 1.25;

  private final double budgetPerRound; // ns of CPU per round on average
  private final int maxRounds;
  private final int hardMaxRounds;
  private long queueCost = -1; // ns, moving average; -1 until a queue round was seen
  private long fullCost;
  private int every = 1; // current spacing in rounds
  private int untilFull; // queue rounds left before the next full one

  /**
   * @param intervalNanos the watcher's period
   * @param budget the share of one core the watcher may use on average (0.001 = 0.1 %)
   * @param maxPeriodNanos longest time between two full rounds while that holds the watcher within
   *     {@link #BOUND_YIELDS_ABOVE} times its budget (staleness bound for {@code active})
   * @param hardMaxPeriodNanos longest time between two full rounds in any case
   */
  ActiveSchedule(long intervalNanos, double budget, long maxPeriodNanos, long hardMaxPeriodNanos) {
    this.budgetPerRound = budget * intervalNanos;
    this.maxRounds = rounds(maxPeriodNanos, intervalNanos);
    this.hardMaxRounds = Math.max(maxRounds, rounds(hardMaxPeriodNanos, intervalNanos));
  }

  private static int rounds(long periodNanos, long intervalNanos) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, periodNanos / intervalNanos));
  }

  /** True when this round should count {@code active}. */
  boolean fullDue() {
    return untilFull <= 0;
  }

  /** Makes the next round a full one (a new listener has no {@code active} yet). */
  void forceFull() {
    untilFull = 0;
  }

  /** Records a full round's CPU time and plans the next full round. */
  void fullRound(long cpuNanos) {
    fullCost = Math.max(0, cpuNanos);
    long q = Math.max(0, queueCost);
    double allowance = Math.max(budgetPerRound - q, budgetPerRound * ACTIVE_SHARE);
    double extra = Math.max(0, fullCost - q);
    long k = Math.max(1, (long) Math.ceil(extra / allowance));
    long bounded = Math.min(maxRounds, k);
    if (bounded < k && q < budgetPerRound && q + extra / bounded > budgetPerRound * BOUND_YIELDS_ABOVE) {
      bounded = Math.min(hardMaxRounds, k); // the bound would break the target: the budget spaces them
    }
    every = (int) bounded;
    untilFull = every - 1;
  }

  /** Records a queue round's CPU time. */
  void queueRound(long cpuNanos) {
    long c = Math.max(0, cpuNanos);
    queueCost = queueCost < 0 ? c : queueCost + (c - queueCost) / 8;
    untilFull--;
  }

  /** Rounds between two full rounds as planned now (1 = every round). */
  int everyRounds() {
    return every;
  }

  /** The moving average of a queue round's CPU time (ns), or -1 before the first. */
  long queueCostNanos() {
    return queueCost;
  }

  /** The latest full round's CPU time (ns). */
  long fullCostNanos() {
    return fullCost;
  }
}
