#!/usr/bin/env bash
# Per-request cost of the agent's hook path (issue 4): HookPathBenchmark drives the bootstrap
# Bridge exactly as the inlined advice does (servlet shape, Netty shape, two threads) into the
# real Recorder and Barrel, with -prof gc for the bytes allocated per request.
# Targets: <= 100 ns per request, 0 B/op.
# Usage: bench/hook-path.sh      (JMH_OPTS="-wi 2 -i 3 -r 1s -w 1s" for a short run on a busy machine)
# Results: bench/target/hook-path/{raw.txt,result.json,summary.txt}
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=bench/target/hook-path
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JMH_OPTS=${JMH_OPTS:-"-wi 3 -i 5 -r 1s -w 1s"}
[ -x "$JAVA" ] || { echo "hook-path: no java at $JAVA (set JAVA=)" >&2; exit 1; }

mvn -B -q -pl bench -am package -DskipTests
mkdir -p "$OUT"
CMD="$JAVA -jar bench/target/benchmarks.jar HookPathBenchmark $JMH_OPTS -f 1 -prof gc -rf json -rff $OUT/result.json"
$CMD | tee "$OUT/raw.txt"

{
  echo "command: $CMD"
  echo "machine: nproc=$(nproc) kernel=$(uname -r) cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "jdk:     $("$JAVA" -version 2>&1 | head -1)"
  echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')  load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)"
  echo
  echo "benchmark                              ns/op     B/op   (targets: <= 100 ns, 0 B/op)"
  awk '/^HookPathBenchmark\.[A-Za-z_0-9]+ +avgt/ { name=$1; ns[name]=$4 }
       /^HookPathBenchmark\.[A-Za-z_0-9]+:gc\.alloc\.rate\.norm/ { split($1, p, ":"); b[p[1]]=$4 }
       END { for (n in ns) printf "%-38s %8s %8s\n", substr(n, 19), ns[n], b[n] }' "$OUT/raw.txt" | sort
} | tee "$OUT/summary.txt"
