#!/usr/bin/env bash
# Listener sampling cost versus the number of established connections on the host (issue 8):
# for each CONNS, holder JVMs open that many loopback connections on 4 listeners, then
# ListenSweep times one sample of 1 and of 4 of those listeners, alternating rounds of
#   netlink (full), netlink-queues (LISTEN only), proc (full /proc/net/tcp* parser),
#   proc-queues (listening section only) and ruby-raindrops,
# and the script writes a table (TSV + markdown) and a log-y plot (gnuplot).
#
# Usage: bench/listen-sweep.sh
#   CONNS="1000 10000 20000"  connection counts (default)
#   ROUNDS=7                  alternating rounds per count (median reported)
#   QUEUED=10                 connections left in each listener's accept queue
#   NORUBY=1                  skip ruby-raindrops (otherwise it must be installed)
#   JAVA=/path/to/java        a JDK 22+ (default: the first found under /usr/lib/jvm)
# Results: bench/target/listen-sweep/{summary.txt,sweep.tsv,sweep{,-cpu}.md,sweep{,-cpu}.png,raw-*.tsv}
set -euo pipefail
cd "$(dirname "$0")/.."

CONNS_LIST=${CONNS:-"1000 10000 20000"}
ROUNDS=${ROUNDS:-7}
QUEUED=${QUEUED:-10}
HOLDERS=4
OUT=bench/target/listen-sweep
CMD="CONNS=\"$CONNS_LIST\" ROUNDS=$ROUNDS QUEUED=$QUEUED${NORUBY:+ NORUBY=1} bench/listen-sweep.sh"

JAVA=${JAVA:-}
if [ -z "$JAVA" ]; then
  for j in /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 22 ] 2>/dev/null; then JAVA=$j; break; fi
  done
fi
[ -n "$JAVA" ] || { echo "listen-sweep: no JDK 22+ found (set JAVA=)" >&2; exit 1; }
if [ -z "${NORUBY:-}" ]; then
  command -v ruby >/dev/null && ruby -e 'require "raindrops"' 2>/dev/null \
    || { echo "listen-sweep: ruby-raindrops missing (apt-get install ruby-raindrops, or NORUBY=1)" >&2; exit 1; }
fi
if ! command -v gnuplot >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "listen-sweep: installing gnuplot-nox" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >/dev/null; }
  fi
  command -v gnuplot >/dev/null \
    || { echo "listen-sweep: gnuplot missing: install it (apt-get install gnuplot-nox) and re-run" >&2; exit 1; }
fi

# Each connection costs two descriptors (client end + accepted end) in its holder.
ulimit -n "$(ulimit -Hn)"
max=0
for c in $CONNS_LIST; do [ "$c" -gt "$max" ] && max=$c; done
per_max=$(( (max + HOLDERS - 1) / HOLDERS ))
if [ $(( 2 * per_max + QUEUED + 200 )) -gt "$(ulimit -n)" ]; then
  echo "listen-sweep: $per_max connections per holder need $(( 2 * per_max + QUEUED + 200 )) descriptors, limit is $(ulimit -n)" >&2
  exit 1
fi

mkdir -p "$OUT"
rm -f "$OUT"/raw-*.tsv "$OUT"/sweep.* "$OUT"/holder-*
if [ ! -f bench/target/benchmarks.jar ] || [ -n "${REBUILD:-}" ]; then
  mvn -B -q -pl core,bench -am package -DskipTests
fi
JAR=bench/target/benchmarks.jar

summary="$OUT/summary.txt"
{
  echo "command: $CMD"
  echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc:   $(nproc)"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
  echo "kernel:  $(uname -r)"
  echo "java:    $("$JAVA" -version 2>&1 | head -1) ($JAVA)"
  if [ -z "${NORUBY:-}" ]; then
    echo "ruby:    $(ruby -e 'print RUBY_VERSION'), ruby-raindrops $(dpkg-query -W -f='${Version}' ruby-raindrops 2>/dev/null || echo '?')"
  fi
  echo "gnuplot: $(gnuplot --version)"
  echo "setup:   per count, $HOLDERS holder JVMs, each 1 loopback listener with count/$HOLDERS accepted + $QUEUED queued connections; the 4 listeners are sampled"
} > "$summary"
cat "$summary"

pids=()
fds=()
cleanup() {
  for f in "${fds[@]:-}"; do [ -n "$f" ] && eval "exec $f>&-" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  rm -f "$OUT"/holder-*.in
}
trap cleanup EXIT

start_holder() { # name accepted
  local f="$OUT/holder-$1.in" fd
  rm -f "$f"
  mkfifo "$f"
  "$JAVA" -Xmx256m -cp "$JAR" dev.rainbarrel.bench.net.ConnectionHolder 1 "$2" "$QUEUED" \
    < "$f" > "$OUT/holder-$1.out" 2>&1 &
  pids+=($!)
  exec {fd}> "$f" # the holder keeps its connections until this descriptor closes
  fds+=("$fd")
}
wait_holder() { # name -> prints its address
  for _ in $(seq 1 1500); do
    grep -q '^READY ' "$OUT/holder-$1.out" 2>/dev/null && break
    sleep 0.2
  done
  sed -n 's/^READY //p' "$OUT/holder-$1.out" | grep . \
    || { echo "listen-sweep: holder $1 did not start: $(cat "$OUT/holder-$1.out")" >&2; exit 1; }
}
stop_holders() {
  for f in "${fds[@]}"; do eval "exec $f>&-"; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
  fds=()
}

for c in $CONNS_LIST; do
  per=$(( (c + HOLDERS - 1) / HOLDERS ))
  for i in $(seq 1 "$HOLDERS"); do start_holder "$c-$i" "$per"; done
  addrs=()
  for i in $(seq 1 "$HOLDERS"); do addrs+=("$(wait_holder "$c-$i")"); done
  list=$(IFS=";"; echo "${addrs[*]}")
  est=$(ss -Htn state established | wc -l)
  echo "connections $c: $est established TCP sockets on the host (ss), listeners $list" | tee -a "$summary"
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.rainbarrel.bench.net.ListenSweep \
    "$ROUNDS" "$c" "$list" ${NORUBY:+noruby} > "$OUT/raw-$c.tsv" 2> "$OUT/raw-$c.err" \
    || { echo "listen-sweep: ListenSweep failed at $c: $(cat "$OUT/raw-$c.err")" >&2; exit 1; }
  stop_holders
done

# --- table: long TSV, markdown pivot (rows: case, columns: connections), wide TSV for gnuplot
{
  printf 'connections\tcase\taddresses\tmedian_us\tmin_us\tmax_us\tcpu_median_us\n'
  for c in $CONNS_LIST; do cat "$OUT/raw-$c.tsv"; done
} > "$OUT/sweep.tsv"

# markdown pivot (rows: case, columns: connections) of one column of sweep.tsv
pivot_md() { # column
  awk -F'\t' -v conns="$CONNS_LIST" -v col="$1" '
    NR == 1 { next }
    { key = $2 " " $3; if (!(key in seen)) { seen[key] = 1; order[++n] = key } v[key, $1] = $col }
    END {
      k = split(conns, cs, " ")
      printf "| case | addresses |"; for (i = 1; i <= k; i++) printf " %s conns |", cs[i]; printf "\n"
      printf "|---|---:|"; for (i = 1; i <= k; i++) printf "---:|"; printf "\n"
      for (j = 1; j <= n; j++) {
        split(order[j], p, " "); printf "| %s | %s |", p[1], p[2]
        for (i = 1; i <= k; i++) printf " %s |", ((order[j], cs[i]) in v) ? v[order[j], cs[i]] : "-"
        printf "\n"
      }
    }' "$OUT/sweep.tsv"
}
# wide TSV for gnuplot: one row per connection count, one column per case
pivot_wide() { # column
  awk -F'\t' -v conns="$CONNS_LIST" -v col="$1" '
    NR == 1 { next }
    { key = $2 "-" $3; if (!(key in seen)) { seen[key] = 1; order[++n] = key } v[key, $1] = $col }
    END {
      k = split(conns, cs, " ")
      printf "connections"; for (j = 1; j <= n; j++) printf "\t%s", order[j]; printf "\n"
      for (i = 1; i <= k; i++) {
        printf "%s", cs[i]
        for (j = 1; j <= n; j++) printf "\t%s", ((order[j], cs[i]) in v) ? v[order[j], cs[i]] : "NaN"
        printf "\n"
      }
    }' "$OUT/sweep.tsv"
}
plot() { # wide-tsv png what
  local plots="" i=1 name colour dash title
  for name in $(head -1 "$1" | cut -f2-); do
    i=$((i + 1))
    case "$name" in
      netlink-queues-*) colour="#1b9e77" ;;
      netlink-*) colour="#1f78b4" ;;
      proc-queues-*) colour="#e6ab02" ;;
      proc-*) colour="#d95f02" ;;
      *) colour="#7570b3" ;;
    esac
    case "$name" in *-4) dash=2 ;; *) dash=1 ;; esac
    title="${name%-*}, ${name##*-} address"
    [ "${name##*-}" = 1 ] || title="${title}es"
    plots="$plots${plots:+, }\"$1\" using 1:$i with linespoints lw 2 pt 7 ps 1.2 lc rgb \"$colour\" dt $dash title \"$title\""
  done
  local xtics
  xtics=$(echo $CONNS_LIST | sed 's/\([0-9][0-9]*\)/"\1" \1/g; s/ "/, "/g')
  gnuplot <<EOF
set terminal pngcairo size 1100,700 font ",11"
set output "$2"
set title "Listener sampling cost vs established connections on the host ($3)\n$(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d), median of $ROUNDS alternating rounds"
set xlabel "established loopback connections on the host"
set ylabel "$3 per sample, µs (log scale)"
set logscale y
set format y "%g"
set grid ytics mytics xtics
set key outside right top
set datafile separator "\t"
set datafile missing "NaN"
set xtics ($xtics)
plot $plots
EOF
}
pivot_md 4 > "$OUT/sweep.md"
pivot_md 7 > "$OUT/sweep-cpu.md"
pivot_wide 4 > "$OUT/sweep-wide.tsv"
pivot_wide 7 > "$OUT/sweep-cpu-wide.tsv"
plot "$OUT/sweep-wide.tsv" "$OUT/sweep.png" "wall time"
plot "$OUT/sweep-cpu-wide.tsv" "$OUT/sweep-cpu.png" "CPU time"

{
  echo
  echo "Wall time per sample, median over $ROUNDS alternating rounds (µs; all columns in sweep.tsv):"
  cat "$OUT/sweep.md"
  echo
  echo "CPU time per sample (user + system of the sampling thread / ruby process), median (µs):"
  cat "$OUT/sweep-cpu.md"
  echo
  echo "netlink / netlink-queues: NETLINK_SOCK_DIAG with and without counting active (LISTEN-only dump)"
  echo "proc / proc-queues: the /proc/net/tcp* parser, all rows vs the listening section only"
  echo "plots: $OUT/sweep.png (wall time), $OUT/sweep-cpu.png (CPU time)"
} >> "$summary"
tail -n +$(( $(grep -n '^Wall time per sample' "$summary" | cut -d: -f1) - 1 )) "$summary"
