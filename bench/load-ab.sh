#!/usr/bin/env bash
# Load overhead of the agent (issue 8): hello-world servers (JDK HttpServer, Jetty 12, Netty 4.1)
# without (A) and with (B) -javaagent:rainbarrel-agent.jar (all default features), driven by wrk on
# loopback, JFR recording off and on (on: the same recording on A and B, so the ratio isolates the
# agent). A and B run side by side; wrk alternates between them round by round (ABBA order), so
# both see the same background load, and every round gives one B/A ratio.
#
# Usage: bench/load-ab.sh
# Settings (environment):
#   ROUNDS=5 DURATION=10s WARMUP=20s   measured rounds per server and JFR mode, wrk -d per round,
#                                      wrk -d of the warm-up run on each side before the rounds
#                                      (B has more to JIT-compile: on the loaded 2-core dev machine
#                                      it needed ~12 s of load to reach A's throughput, A ~9 s)
#   THREADS=1 CONNS=16                 wrk -t / -c (fixed; wrk shares the 2 cores with the server)
#   SERVERS="jdkhttp jetty12 netty41"  JFR_MODES="off on"
#   JAVA=/path/to/java                 default: a JDK 25 under /usr/lib/jvm (else 22+)
#   JVM_OPTS="..."                     extra options for both A and B
#   AGENT_OPTS="servers=none"          agent options for B (default: none, i.e. every default
#                                      feature on); for bisecting which part of the agent costs
#   SERVER_CPUS=0 WRK_CPUS=1           pin the servers and wrk to separate CPUs (taskset -c): on a
#                                      2-core machine each side then has a core of its own, which
#                                      takes the scheduler's noise out of a round (default: unpinned)
#   SKIP_BUILD=1                       use the jars already in agent/target and bench/target
# Results: bench/target/load-ab/{summary.txt,rounds.tsv,*.wrk.txt,*.log,*.jfr}
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=load-ab
# shellcheck source=bench/load-common.sh
. bench/load-common.sh
CMDLINE=$(command_line bench/load-ab.sh ROUNDS DURATION WARMUP THREADS CONNS SERVERS JFR_MODES JAVA JVM_OPTS AGENT_OPTS SERVER_CPUS WRK_CPUS SKIP_BUILD)

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-20s}
THREADS=${THREADS:-1}
CONNS=${CONNS:-16}
SERVERS=${SERVERS:-jdkhttp jetty12 netty41}
JFR_MODES=${JFR_MODES:-off on}
JVM_OPTS=${JVM_OPTS:-}
AGENT_OPTS=${AGENT_OPTS:-}
AGENT_ARG="-javaagent:$AGENT${AGENT_OPTS:+=$AGENT_OPTS}"
OUT=bench/target/load-ab

[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS='$ROUNDS' is not a positive integer"
for v in DURATION WARMUP; do
  [[ "${!v}" =~ ^[1-9][0-9]*[smh]?$ ]] || die "$v='${!v}' is not a wrk duration like 10s, 2m"
done
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "THREADS='$THREADS' is not a positive integer"
[[ "$CONNS" =~ ^[1-9][0-9]*$ && "$CONNS" -ge "$THREADS" ]] || die "CONNS='$CONNS' must be an integer >= THREADS"
for s in $SERVERS; do
  case $s in jdkhttp|jetty12|netty41) ;; *) die "unknown server '$s' in SERVERS (known: jdkhttp jetty12 netty41)";; esac
done
for m in $JFR_MODES; do
  case $m in off|on) ;; *) die "unknown JFR mode '$m' in JFR_MODES (known: off on)";; esac
done

need_wrk
pick_java
build

rm -rf "$OUT"
mkdir -p "$OUT"
JFC="$PWD/$OUT/rainbarrel.jfc"
unzip -p "$AGENT" rainbarrel.jfc > "$JFC" 2>/dev/null || cp jfr-events/src/main/resources/rainbarrel.jfc "$JFC"
grep -q rainbarrel.Counters "$JFC" || die "could not get rainbarrel.jfc from $AGENT"

summary="$OUT/summary.txt"
{
  echo "# Load overhead of the rainbarrel agent: B (with agent) / A (without), wrk on loopback"
  machine_header
  echo "settings: ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP; wrk -t$THREADS -c$CONNS -d<DURATION> --latency; CPUs: servers ${SERVER_CPUS:-any}, wrk ${WRK_CPUS:-any}"
  echo "JVM:      both: ${COMMON_OPTS[*]:-(none)}; B adds $AGENT_ARG"
  echo "JFR on:   both add -XX:StartFlightRecording:settings=default,settings=rainbarrel.jfc,filename=<side>.jfr"
} > "$summary"

trap stop_all_servers EXIT

printf 'server\tjfr\tround\torder\tA_rps\tB_rps\tA_p50_us\tB_p50_us\tA_p99_us\tB_p99_us\tA_errors\tB_errors\n' > "$OUT/rounds.tsv"
for srv in $SERVERS; do
  for jfr in $JFR_MODES; do
    tag="$srv-jfr$jfr"
    jfr_a=(); jfr_b=()
    if [ "$jfr" = on ]; then
      jfr_a=("-XX:StartFlightRecording:settings=default,settings=$JFC,filename=$PWD/$OUT/$tag-A.jfr")
      jfr_b=("-XX:StartFlightRecording:settings=default,settings=$JFC,filename=$PWD/$OUT/$tag-B.jfr")
    fi
    echo "load-ab: $tag: starting A and B" >&2
    start_server "$srv" "$OUT/$tag-A.log" "${COMMON_OPTS[@]}" "${jfr_a[@]}"; pid_a=$SERVER_PID; port_a=$SERVER_PORT
    start_server "$srv" "$OUT/$tag-B.log" "${COMMON_OPTS[@]}" "${jfr_b[@]}" "$AGENT_ARG"; pid_b=$SERVER_PID; port_b=$SERVER_PORT
    grep -q '^rainbarrel:' "$OUT/$tag-B.log" && echo "load-ab: $tag: the agent printed: $(grep '^rainbarrel:' "$OUT/$tag-B.log")" >&2

    run_wrk "$port_a" "$WARMUP" "$OUT/$tag-warmup-A.wrk.txt"
    run_wrk "$port_b" "$WARMUP" "$OUT/$tag-warmup-B.wrk.txt"
    b_total=$(parse_wrk "$OUT/$tag-warmup-B.wrk.txt" | cut -d' ' -f4)
    for r in $(seq 1 "$ROUNDS"); do
      if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
      for side in $order; do
        if [ "$side" = A ]; then port=$port_a; else port=$port_b; fi
        run_wrk "$port" "$DURATION" "$OUT/$tag-r$r-$side.wrk.txt"
      done
      read -r a_rps a_p50 a_p99 _ a_err <<< "$(parse_wrk "$OUT/$tag-r$r-A.wrk.txt")"
      read -r b_rps b_p50 b_p99 b_req b_err <<< "$(parse_wrk "$OUT/$tag-r$r-B.wrk.txt")"
      b_total=$((b_total + b_req))
      printf '%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$srv" "$jfr" "$r" "${order// /}" \
        "$a_rps" "$b_rps" "$a_p50" "$b_p50" "$a_p99" "$b_p99" "$a_err" "$b_err" >> "$OUT/rounds.tsv"
      echo "load-ab: $tag round $r/$ROUNDS: A $a_rps req/s, B $b_rps req/s" >&2
    done

    # The comparison means nothing unless the agent in B really counted those requests.
    "$JAVA" -jar "$AGENT" stat "$pid_b" --json > "$OUT/$tag-B-stat.json" 2> "$OUT/$tag-B-stat.err" \
      || die "$tag: 'rainbarrel stat $pid_b --json' failed: $(cat "$OUT/$tag-B-stat.err")"
    counted=$(sed -n 's/.*"requests":\([0-9]*\).*/\1/p' "$OUT/$tag-B-stat.json")
    [ -n "$counted" ] && [ "$counted" -gt 0 ] \
      || die "$tag: the agent in B counted no requests (stat: $(cat "$OUT/$tag-B-stat.json")); the A/B comparison is meaningless"
    check="agent counted $counted requests, wrk completed $b_total on B"
    [ "$counted" -ge "$b_total" ] || check="$check  WARNING: fewer than wrk completed"
    echo "$tag: $check" >> "$OUT/checks.txt"

    stop_server "$pid_a"; stop_server "$pid_b"
    if [ "$jfr" = on ]; then
      n=$("$JDK_BIN/jfr" summary "$OUT/$tag-B.jfr" 2>/dev/null | awk '$1 ~ /^rainbarrel\./ { n += $2 } END { print n + 0 }')
      [ "$n" -gt 0 ] || die "$tag: B's recording $OUT/$tag-B.jfr has no rainbarrel events: JFR was not on as intended"
      echo "$tag: B's recording holds $n rainbarrel events" >> "$OUT/checks.txt"
    fi
  done
done

# --- summary: per server and JFR mode, the median (min-max) of the per-round B/A ratios
{
  echo "loadavg:  $(cut -d' ' -f1-3 /proc/loadavg) (end)"
  echo
  echo "Checks:"
  sed 's/^/  /' "$OUT/checks.txt"
  echo
  echo "B/A ratios, median (min-max) over $ROUNDS rounds (A/B req/s: medians). Targets: throughput >= 0.99 and never"
  echo "below 0.97 (the minimum round); p99 latency <= 1.05 (median)."
  echo
  awk -F'\t' "$AWK_MEDIAN"'
    function stats(a, n,   i, lo, hi) {
      lo = hi = a[1]; for (i = 2; i <= n; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
      LO = lo; HI = hi; return median(a, n)
    }
    NR == 1 { next }
    {
      k = $1 " " $2
      if (!(k in n)) { keys[++nk] = k }
      i = ++n[k]
      tp[k, i] = ($5 > 0) ? $6 / $5 : 0; p50[k, i] = ($7 > 0) ? $8 / $7 : 0; p99[k, i] = ($9 > 0) ? $10 / $9 : 0
      ra[k, i] = $5; rb[k, i] = $6
      err[k] += $11 + $12
    }
    END {
      printf "%-8s %-4s %-10s %-10s %-22s %-22s %-22s %s\n", "server", "jfr", "A req/s", "B req/s", "throughput B/A", "p50 B/A", "p99 B/A", "targets"
      for (q = 1; q <= nk; q++) {
        k = keys[q]; m = n[k]
        for (i = 1; i <= m; i++) { x[i] = ra[k, i] }; mra = stats(x, m)
        for (i = 1; i <= m; i++) { x[i] = rb[k, i] }; mrb = stats(x, m)
        for (i = 1; i <= m; i++) { x[i] = tp[k, i] }; mt = stats(x, m); tlo = LO; thi = HI
        for (i = 1; i <= m; i++) { x[i] = p50[k, i] }; m50 = stats(x, m); lo50 = LO; hi50 = HI
        for (i = 1; i <= m; i++) { x[i] = p99[k, i] }; m99 = stats(x, m); lo99 = LO; hi99 = HI
        split(k, kk, " ")
        verdict = "throughput " ((mt >= 0.99 && tlo >= 0.97) ? "met" : "missed") ", p99 " ((m99 <= 1.05) ? "met" : "missed")
        if (err[k] > 0) verdict = verdict ", " err[k] " wrk errors!"
        printf "%-8s %-4s %-10.0f %-10.0f %-22s %-22s %-22s %s\n", kk[1], kk[2], mra, mrb,
          sprintf("%.3f (%.3f-%.3f)", mt, tlo, thi), sprintf("%.3f (%.3f-%.3f)", m50, lo50, hi50),
          sprintf("%.3f (%.3f-%.3f)", m99, lo99, hi99), verdict
      }
    }' "$OUT/rounds.tsv"
  echo
  echo "Raw per-round numbers (requests/s; latency in us; order = which side wrk drove first):"
  column -t -s $'\t' "$OUT/rounds.tsv" 2>/dev/null || cat "$OUT/rounds.tsv"
  echo
  echo "wrk outputs: $OUT/<server>-jfr<mode>-r<round>-<A|B>.wrk.txt; server logs: *.log; B's stat: *-B-stat.json"
} >> "$summary"
cat "$summary"
