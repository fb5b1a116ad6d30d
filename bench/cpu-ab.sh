#!/usr/bin/env bash
# Server CPU per request, A against B, a fresh pair of server JVMs in every round.
#
#   bench/cpu-ab.sh                                   # A: no agent, B: agent/target/rainbarrel-agent.jar
#   A_AGENT=/tmp/before.jar B_AGENT=agent/target/rainbarrel-agent.jar ROUNDS=6 bench/cpu-ab.sh
#
# Why beside load-ab.sh: wrk's requests/s on a 2-vCPU machine swing by +-10 % between JVM
# instances (JIT outcomes differ per instance), and a server that is a little slower makes the
# co-located wrk sleep more, so every response costs the server a wake-up IPI (a VM exit on
# KVM): the throughput ratio amplifies a small per-request cost. This script reports what the
# server itself spends per request (utime + stime of its process from /proc over the measured
# window, divided by wrk's requests), and, to show the wake-up effect, the host's context
# switches and function-call IPIs per request in the same window.
#
# Env: A_AGENT, B_AGENT (an agent jar, or "none"; defaults none / the built agent), AGENT_OPTS
# (options for both agents), A_JVM_OPTS / B_JVM_OPTS (JVM options for one side only, e.g. a
# -XX:CompileCommand to test a JIT hypothesis), SERVER (jdkhttp|jetty12|netty41, default jetty12), ROUNDS (6),
# WARMUP (15s per side per round), DURATION (8s), THREADS (1), CONNS (16), JAVA, JVM_OPTS,
# SKIP_BUILD=1. Output: bench/target/cpu-ab/{summary.txt,rounds.tsv,*.wrk.txt,*.log}.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=cpu-ab
. bench/load-common.sh
CMDLINE=$(command_line bench/cpu-ab.sh A_AGENT B_AGENT AGENT_OPTS A_JVM_OPTS B_JVM_OPTS SERVER ROUNDS WARMUP DURATION THREADS CONNS JAVA JVM_OPTS SKIP_BUILD)

A_AGENT=${A_AGENT:-none}
B_AGENT=${B_AGENT:-$AGENT}
SERVER=${SERVER:-jetty12}
ROUNDS=${ROUNDS:-6}
WARMUP=${WARMUP:-15s}
DURATION=${DURATION:-8s}
THREADS=${THREADS:-1}
CONNS=${CONNS:-16}
OUT=bench/target/cpu-ab

[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS='$ROUNDS' is not a positive integer"
for v in WARMUP DURATION; do
  [[ "${!v}" =~ ^[1-9][0-9]*[smh]?$ ]] || die "$v='${!v}' is not a wrk duration like 10s, 2m"
done
main_class "$SERVER" > /dev/null

need_wrk
pick_java
build
for side in A B; do
  v=${side}_AGENT
  [ "${!v}" = none ] || [ -f "${!v}" ] || die "$v=${!v}: no such agent jar (or say none)"
done
agent_arg() { [ "$1" = none ] || echo "-javaagent:$1${AGENT_OPTS:+=$AGENT_OPTS}"; }
ARG_A="${A_JVM_OPTS:-} $(agent_arg "$A_AGENT")"
ARG_B="${B_JVM_OPTS:-} $(agent_arg "$B_AGENT")"
ARG_A=${ARG_A# }; ARG_B=${ARG_B# }

rm -rf "$OUT"
mkdir -p "$OUT"
summary="$OUT/summary.txt"
{
  echo "# Server CPU per request: B / A, a fresh JVM pair per round, wrk on loopback"
  machine_header
  echo "settings: SERVER=$SERVER ROUNDS=$ROUNDS WARMUP=$WARMUP DURATION=$DURATION; wrk -t$THREADS -c$CONNS"
  echo "A:        ${COMMON_OPTS[*]:-} ${ARG_A:-(no agent)}"
  echo "B:        ${COMMON_OPTS[*]:-} ${ARG_B:-(no agent)}"
} > "$summary"

trap stop_all_servers EXIT
HZ=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
host_ctxt() { awk '/^ctxt/ { print $2 }' /proc/stat; }
# function-call IPIs (CAL) summed over CPUs: what a wake-up of a task on another CPU sends
host_ipis() { awk '$1 == "CAL:" { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts; }

printf 'round\tside\trps\trequests\tcpu_us_per_req\tctxt_per_req\tipis_per_req\n' > "$OUT/rounds.tsv"
for r in $(seq 1 "$ROUNDS"); do
  # shellcheck disable=SC2086
  start_server "$SERVER" "$OUT/r$r-A.log" "${COMMON_OPTS[@]}" $ARG_A; pid_a=$SERVER_PID; port_a=$SERVER_PORT
  # shellcheck disable=SC2086
  start_server "$SERVER" "$OUT/r$r-B.log" "${COMMON_OPTS[@]}" $ARG_B; pid_b=$SERVER_PID; port_b=$SERVER_PORT
  if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
  for side in $order; do
    if [ "$side" = A ]; then port=$port_a; else port=$port_b; fi
    wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "http://127.0.0.1:$port/" > "$OUT/r$r-$side-warmup.wrk.txt"
  done
  for side in $order; do
    if [ "$side" = A ]; then pid=$pid_a; port=$port_a; else pid=$pid_b; port=$port_b; fi
    t0=$(ticks "$pid"); c0=$(host_ctxt); i0=$(host_ipis)
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$port/" > "$OUT/r$r-$side.wrk.txt"
    t1=$(ticks "$pid"); c1=$(host_ctxt); i1=$(host_ipis)
    read -r rps _ _ n errs <<< "$(parse_wrk "$OUT/r$r-$side.wrk.txt")"
    [ "$errs" = 0 ] || die "round $r side $side: wrk reported $errs errors ($OUT/r$r-$side.wrk.txt)"
    [ "$n" -gt 0 ] || die "round $r side $side: wrk completed no request"
    awk -v r="$r" -v s="$side" -v rps="$rps" -v n="$n" -v t=$((t1 - t0)) -v hz="$HZ" -v c=$((c1 - c0)) -v i=$((i1 - i0)) \
      'BEGIN { printf "%d\t%s\t%s\t%d\t%.3f\t%.3f\t%.3f\n", r, s, rps, n, t / hz * 1e6 / n, c / n, i / n }' >> "$OUT/rounds.tsv"
    echo "cpu-ab: round $r/$ROUNDS $side: $(tail -1 "$OUT/rounds.tsv" | cut -f3,5)" >&2
  done
  stop_server "$pid_a"; stop_server "$pid_b"
done

{
  echo "loadavg:  $(cut -d' ' -f1-3 /proc/loadavg) (end)"
  echo
  awk -F'\t' "$AWK_MEDIAN"'
    NR == 1 { next }
    { k = $1; v[$2, k, "rps"] = $3; v[$2, k, "cpu"] = $5; v[$2, k, "ctxt"] = $6; v[$2, k, "ipi"] = $7; if (k > n) n = k }
    END {
      split("rps cpu ctxt ipi", f, " ")
      names["rps"] = "requests/s"; names["cpu"] = "server CPU us/request"; names["ctxt"] = "host context switches/request"; names["ipi"] = "host IPIs/request"
      printf "%-30s %10s %10s %8s   %s\n", "median over rounds", "A", "B", "B/A", "B/A per round"
      for (q = 1; q <= 4; q++) {
        m = f[q]; rounds = ""
        for (k = 1; k <= n; k++) { a[k] = v["A", k, m]; b[k] = v["B", k, m]; ratio[k] = (a[k] > 0) ? b[k] / a[k] : 0; rounds = rounds sprintf(" %.3f", ratio[k]) }
        ma = median(a, n); mb = median(b, n); mr = median(ratio, n)
        printf "%-30s %10.3f %10.3f %8.3f  %s\n", names[m], ma, mb, mr, rounds
      }
    }' "$OUT/rounds.tsv"
  echo
  echo "Raw rounds:"
  column -t -s $'\t' "$OUT/rounds.tsv" 2>/dev/null || cat "$OUT/rounds.tsv"
} >> "$summary"
cat "$summary"
