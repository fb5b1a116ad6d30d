#!/usr/bin/env bash
# Listen-stats cost with many established loopback connections on the host, in one run:
#   netlink (1 and 4 addresses), the /proc parser (1 and 4), ruby-raindrops (1 and 4), ss -ltn,
#   on quiet listeners, loaded ones, and 4 "split" listeners that together own one loaded one's
#   connections (a 4-address answer as large as a 1-address one),
#   plus JMH -prof gc on the netlink samples, idle and loaded, to show that allocation per sample
#   does not grow with the number of sockets on the host.
# Usage: bench/listen-scale.sh            (CONNS=20000 HOLDERS=4 QUEUED=10 by default)
# Results: bench/target/listen-scale/{summary.txt,jmh-*.txt,jmh-*.json}
set -euo pipefail
cd "$(dirname "$0")/.."

CONNS=${CONNS:-20000}
HOLDERS=${HOLDERS:-4}
QUEUED=${QUEUED:-10}
OUT=bench/target/listen-scale
JMH_OPTS=${JMH_OPTS:-}        # extra JMH options for the timing run, e.g. "-wi 1 -i 1"
JMH_GC_OPTS=${JMH_GC_OPTS:-} # options for the -prof gc runs (default "-wi 2 -i 3")

JAVA=${JAVA:-}
if [ -z "$JAVA" ]; then
  for j in /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 22 ] 2>/dev/null; then JAVA=$j; break; fi
  done
fi
[ -n "$JAVA" ] || { echo "listen-scale: no JDK 22+ found (set JAVA=)" >&2; exit 1; }
command -v ruby >/dev/null && ruby -e 'require "raindrops"' 2>/dev/null \
  || { echo "listen-scale: ruby-raindrops missing (scripts/ensure-tools.sh installs it)" >&2; exit 1; }

# Each connection costs two descriptors (client end + accepted end). Raise the soft limit to the
# hard one; when that is too low for one process, several holder processes share the load.
ulimit -n "$(ulimit -Hn)"
per=$(( (CONNS + HOLDERS - 1) / HOLDERS ))
need=$(( 2 * per + QUEUED + 200 ))
if [ "$need" -gt "$(ulimit -n)" ]; then
  echo "listen-scale: $per connections per holder need $need descriptors, limit is $(ulimit -n); raise HOLDERS" >&2
  exit 1
fi

mkdir -p "$OUT"
if [ ! -f bench/target/benchmarks.jar ] || [ -n "${REBUILD:-}" ]; then
  mvn -B -q -pl core,bench -am package -DskipTests
fi
JAR=bench/target/benchmarks.jar

# JMH refuses to start while another JMH run holds /tmp/jmh.lock (shared machines): wait for it.
# JMH_IGNORE_LOCK=1 runs anyway (the numbers then share the CPUs with the other run: say so).
wait_jmh() {
  [ -z "${JMH_IGNORE_LOCK:-}" ] || return 0
  command -v fuser >/dev/null || return 0
  for _ in $(seq 1 450); do
    fuser /tmp/jmh.lock >/dev/null 2>&1 || return 0
    sleep 2
  done
  echo "listen-scale: /tmp/jmh.lock still held after 15 minutes" >&2
  exit 1
}

summary="$OUT/summary.txt"
{
  echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc:   $(nproc)"
  echo "kernel:  $(uname -r)"
  echo "java:    $("$JAVA" -version 2>&1 | head -1)"
  echo "ruby:    $(ruby -e 'print RUBY_VERSION'), ruby-raindrops $(dpkg-query -W -f='${Version}' ruby-raindrops 2>/dev/null || echo '?')"
  echo "setup:   $CONNS established loopback connections on $HOLDERS load listeners (one holder process each), plus 4 quiet listeners"
} > "$summary"

# --- 1. allocation per sample on an idle host (the benchmark opens its own 4 listeners)
wait_jmh
"$JAVA" ${JMH_IGNORE_LOCK:+-Djmh.ignoreLock=true} -jar "$JAR" 'ListenSampleBenchmark.netlink[14]$' -prof gc ${JMH_GC_OPTS:--wi 2 -i 3} \
  > "$OUT/jmh-gc-idle.txt" 2>&1

# thread-local bytes per sample on the idle host (4 idle listeners of a holder)
start_idle() {
  local f="$OUT/holder-idle.in"; rm -f "$f"; mkfifo "$f"
  "$JAVA" -cp "$JAR" dev.rainbarrel.bench.net.ConnectionHolder 4 0 0 < "$f" > "$OUT/holder-idle.out" 2>&1 &
  idle_pid=$!
  exec {idle_fd}> "$f"
  for _ in $(seq 1 300); do grep -q '^READY ' "$OUT/holder-idle.out" 2>/dev/null && break; sleep 0.2; done
  rm -f "$f"
}
start_idle
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.rainbarrel.bench.net.SampleAllocation \
  "$(sed -n 's/^READY //p' "$OUT/holder-idle.out")" idle > "$OUT/alloc.txt" 2>&1
exec {idle_fd}>&-
wait "$idle_pid" 2>/dev/null || true

# --- 2. load: holders keep listeners and connections until their stdin closes.
#   "load" listeners: HOLDERS listeners sharing the CONNS established connections;
#   "quiet" listeners: 4 listeners with 25 accepted and QUEUED queued connections each.
pids=()
fifos=()
cleanup() {
  for f in "${fifos[@]:-}"; do rm -f "$f"; done
  for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
start_holder() { # name listeners accepted queued
  local f="$OUT/holder-$1.in"
  rm -f "$f"
  mkfifo "$f"
  fifos+=("$f")
  "$JAVA" -cp "$JAR" dev.rainbarrel.bench.net.ConnectionHolder "$2" "$3" "$4" \
    < "$f" > "$OUT/holder-$1.out" 2>&1 &
  pids+=($!)
  exec {fd}> "$f" # keeps the holder's stdin open until this script exits
}
wait_holder() { # name -> prints its addresses
  for _ in $(seq 1 900); do
    grep -q '^READY ' "$OUT/holder-$1.out" 2>/dev/null && break
    sleep 0.2
  done
  sed -n 's/^READY //p' "$OUT/holder-$1.out" | grep . \
    || { echo "listen-scale: holder $1 did not start: $(cat "$OUT/holder-$1.out")" >&2; exit 1; }
}
for i in $(seq 1 "$HOLDERS"); do start_holder "load$i" 1 "$per" "$QUEUED"; done
start_holder quiet 4 25 "$QUEUED"
# "split": 4 listeners owning together as many connections as one load listener, so a 4-address
# sample returns as many rows as a 1-address sample of a load listener
start_holder split 4 $(( per / 4 )) "$QUEUED"
load_addrs=()
for i in $(seq 1 "$HOLDERS"); do load_addrs+=("$(wait_holder "load$i")"); done
quiet=$(wait_holder quiet)
split=$(wait_holder split)
load=$(IFS=";"; echo "${load_addrs[*]:0:4}")
est=$(ss -Htn state established | wc -l)
{
  echo "sockets: $est established TCP sockets on the host (ss)"
  echo "quiet:   $quiet (25 active + $QUEUED queued each)"
  echo "load:    $load ($per active + $QUEUED queued each)"
  echo "split:   $split ($(( per / 4 )) active + $QUEUED queued each)"
} >> "$summary"

# --- 3. JMH: netlink vs /proc, 1 and 4 addresses, quiet and loaded listeners (JMH splits -p on ',')
wait_jmh
"$JAVA" ${JMH_IGNORE_LOCK:+-Djmh.ignoreLock=true} -jar "$JAR" ListenSampleBenchmark -p addrs="$quiet,$load" -rf json -rff "$OUT/jmh-load.json" $JMH_OPTS \
  > "$OUT/jmh-load.txt" 2>&1
wait_jmh
"$JAVA" ${JMH_IGNORE_LOCK:+-Djmh.ignoreLock=true} -jar "$JAR" 'ListenSampleBenchmark.netlink[14]$' -p addrs="$quiet,$load" -prof gc ${JMH_GC_OPTS:--wi 2 -i 3} \
  > "$OUT/jmh-gc-load.txt" 2>&1

for pair in "quiet:$quiet" "load:$load"; do
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.rainbarrel.bench.net.SampleAllocation \
    "${pair#*:}" "${pair%%:*}" >> "$OUT/alloc.txt" 2>&1
done

# --- 3b. head to head: alternating rounds of ours and ruby-raindrops (same background load)
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.rainbarrel.bench.net.HeadToHead \
  "${ROUNDS:-7}" "$quiet" "$load" "$split" > "$OUT/head-to-head.txt" 2>&1

# --- 4. ruby-raindrops on the same sockets (one reused InetDiagSocket, like our sampler)
ruby -e '
  require "raindrops"
  sock = Raindrops::InetDiagSocket.new
  def per_call(n)
    yield # warm
    t = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    n.times { yield }
    (Process.clock_gettime(Process::CLOCK_MONOTONIC) - t) / n * 1e6
  end
  { "quiet" => ARGV[0], "load" => ARGV[1] }.each do |name, list|
    a = list.split(";")
    one = per_call(100) { Raindrops::Linux.tcp_listener_stats([a[0]], sock) }
    four = per_call(20) { Raindrops::Linux.tcp_listener_stats(a, sock) }
    printf("raindrops %-5s 1 address:  %10.1f us/sample  %s\n", name, one,
           Raindrops::Linux.tcp_listener_stats([a[0]], sock).values.first.inspect)
    printf("raindrops %-5s 4 addresses:%10.1f us/sample\n", name, four)
  end
' "$quiet" "$load" >> "$summary"

# --- 5. ss -ltn (a process per sample, as a monitoring script would run it)
n=50
t0=$(date +%s%N)
for _ in $(seq 1 $n); do ss -ltn > /dev/null; done
t1=$(date +%s%N)
echo "ss -ltn:              $(( (t1 - t0) / n / 1000 )) us/run (process included)" >> "$summary"

{
  echo
  echo "Head to head, alternating rounds (median/min/max us per sample):"
  cat "$OUT/head-to-head.txt"
  echo
  echo "JMH (avgt, us/op), loaded host:"
  grep -E '^(Benchmark|ListenSampleBenchmark)' "$OUT/jmh-load.txt" || true
  echo
  echo "Sampling thread's own allocation per sample (ThreadMXBean), idle host then loaded host:"
  cut -c1-110 "$OUT/alloc.txt"
  echo
  echo "JMH -prof gc, bytes allocated per sample (gc.alloc.rate.norm), idle host:"
  grep -E 'gc.alloc.rate.norm' "$OUT/jmh-gc-idle.txt" || true
  echo "JMH -prof gc, bytes allocated per sample, loaded host:"
  grep -E 'gc.alloc.rate.norm' "$OUT/jmh-gc-load.txt" || true
} >> "$summary"
cat "$summary"
