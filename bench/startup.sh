#!/usr/bin/env bash
# Startup cost of the agent (issue 8): time from exec'ing java to the first HTTP 200 on GET /, for
# a Jetty 12 servlet app and a Spring Boot 3 (Tomcat) app, without and with
# -javaagent:agent/target/rainbarrel-agent.jar (default options), alternating, RUNS times each.
# Target: the median with the agent is at most 200 ms above the median without.
#
# Usage: bench/startup.sh                      (RUNS=7, APPS="jetty spring", JDK 25)
#        RUNS=2 APPS=jetty bench/startup.sh
#        JAVA="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java /usr/lib/jvm/java-17-openjdk-amd64/bin/java" bench/startup.sh
# Results: bench/target/startup/{summary.txt,raw.tsv,logs/}
#
# Each run: the wall clock is read in this shell right before the java process is started; GET /
# is polled with curl every ~5 ms until the first 200, then the clock is read again and the JVM's
# own CPU time so far (utime+stime from /proc/PID/stat) is recorded too - on a shared machine the
# CPU time is the steadier figure. Agent runs add -Drainbarrel.debug.startup=true so the agent
# prints how long its premain and its background start (hooks + services, beside main) took
# (two lines on stderr; nothing else changes).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-7}
APPS=${APPS:-jetty spring}
PORT=${PORT:-18471}
TIMEOUT_S=${TIMEOUT_S:-180}   # per run: give up (and report) if no 200 by then
TARGET_MS=200
AGENT_JAR=agent/target/rainbarrel-agent.jar
OUT=bench/target/startup
COMMAND="RUNS=$RUNS APPS=\"$APPS\"${JAVA:+ JAVA=\"$JAVA\"} bench/startup.sh"

JAVA=${JAVA:-}
if [ -z "$JAVA" ]; then
  for j in /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then JAVA=$j; break; fi
  done
fi
[ -n "$JAVA" ] || { echo "startup: no JDK 25 found (set JAVA=)" >&2; exit 1; }
for j in $JAVA; do
  [ -x "$j" ] || { echo "startup: JAVA entry $j is not an executable" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "startup: curl missing (apt-get install curl)" >&2; exit 1; }
case "$RUNS" in ''|*[!0-9]*|0) echo "startup: RUNS must be a positive integer, got '$RUNS'" >&2; exit 1 ;; esac

mvn -B -q -pl agent,bench -am package -DskipTests
[ -f "$AGENT_JAR" ] || { echo "startup: $AGENT_JAR was not built" >&2; exit 1; }
CP="bench/target/classes:$(cat bench/target/startup-classpath.txt)"

rm -rf "$OUT"
mkdir -p "$OUT/logs"
RAW=$OUT/raw.tsv
printf 'jdk\tapp\tmode\trun\twall_ms\tcpu_ms\tpremain\tbackground\n' > "$RAW"

main_class() {
  case "$1" in
    jetty) echo dev.rainbarrel.bench.startup.JettyHello ;;
    spring) echo dev.rainbarrel.bench.startup.SpringHello ;;
    *) echo "startup: unknown app '$1' (jetty, spring)" >&2; exit 1 ;;
  esac
}

now_us() { local t=$EPOCHREALTIME; echo $(( ${t%.*} * 1000000 + 10#${t#*.} )); }

# one_run JAVA APP MODE RUN: prints "wall_ms cpu_ms"
one_run() {
  local java=$1 app=$2 mode=$3 run=$4 log pid start end code ticks
  log="$OUT/logs/$(basename "$(dirname "$(dirname "$java")")")-$app-$mode-$run.log"
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/" 2>/dev/null; then
    echo "startup: something already answers on 127.0.0.1:$PORT (set PORT=)" >&2; exit 1
  fi
  local agent=()
  [ "$mode" = agent ] && agent=("-javaagent:$AGENT_JAR" -Drainbarrel.debug.startup=true)
  start=$(now_us)
  "$java" "${agent[@]}" -cp "$CP" "$(main_class "$app")" "$PORT" >"$log" 2>&1 &
  pid=$!
  local deadline=$(( start + TIMEOUT_S * 1000000 )) ok=0
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null || true)
    if [ "$code" = 200 ]; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    [ "$(now_us)" -lt "$deadline" ] || break
    sleep 0.005
  done
  end=$(now_us)
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$ok" != 1 ]; then
    echo "startup: $app ($mode, run $run) gave no 200 within ${TIMEOUT_S}s; log: $log" >&2
    tail -5 "$log" >&2
    exit 1
  fi
  echo "$(( (end - start) / 1000 )) $(( ticks * 1000 / $(getconf CLK_TCK) ))"
}

# stats FILE-OF-NUMBERS: "median min max"
stats() {
  sort -n "$1" | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2;
    printf "%d %d %d\n", m, v[1], v[NR]}'
}

summary=$OUT/summary.txt
{
  echo "# bench/startup.sh - time from JVM start to the first 200 on GET /, without vs with the agent"
  echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine: nproc=$(nproc), $(uname -srm), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: $COMMAND"
  echo "agent:   $AGENT_JAR (default options), runs alternate without/with (order flipped every pair)"
  echo "target:  median(agent) - median(none) <= ${TARGET_MS} ms"
  echo
} > "$summary"

for java in $JAVA; do
  jdk=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
  echo "JDK $jdk ($java)" >> "$summary"
  for app in $APPS; do
    main_class "$app" >/dev/null
    for run in $(seq 1 "$RUNS"); do
      if [ $(( run % 2 )) -eq 1 ]; then order="none agent"; else order="agent none"; fi
      for mode in $order; do
        read -r wall cpu < <(one_run "$java" "$app" "$mode" "$run")
        premain="" background=""
        if [ "$mode" = agent ]; then
          log="$OUT/logs/$(basename "$(dirname "$(dirname "$java")")")-$app-$mode-$run.log"
          premain=$(grep -m1 '^rainbarrel: premain took' "$log" | sed 's/^rainbarrel: premain took //' || true)
          background=$(grep -m1 '^rainbarrel: background start took' "$log" | sed 's/^rainbarrel: background start took //' || true)
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$jdk" "$app" "$mode" "$run" "$wall" "$cpu" "$premain" "$background" >> "$RAW"
        echo "startup: $app $mode run $run: ${wall} ms wall, ${cpu} ms cpu${premain:+ (premain $premain; background $background)}" >&2
      done
    done
    for mode in none agent; do
      awk -F'\t' -v j="$jdk" -v a="$app" -v m="$mode" '$1==j && $2==a && $3==m {print $5}' "$RAW" > "$OUT/.w"
      awk -F'\t' -v j="$jdk" -v a="$app" -v m="$mode" '$1==j && $2==a && $3==m {print $6}' "$RAW" > "$OUT/.c"
      read -r wm wmin wmax < <(stats "$OUT/.w")
      read -r cm cmin cmax < <(stats "$OUT/.c")
      eval "w_$mode=$wm c_$mode=$cm"
      printf '  %-7s %-6s wall median %6d ms (min %6d, max %6d)   cpu median %6d ms (min %6d, max %6d)\n' \
        "$app" "$mode" "$wm" "$wmin" "$wmax" "$cm" "$cmin" "$cmax" >> "$summary"
    done
    awk -F'\t' -v j="$jdk" -v a="$app" '$1==j && $2==a && $3=="agent" && $7!="" {
        if (match($7, /^[0-9]+/)) print substr($7, RSTART, RLENGTH)}' "$RAW" > "$OUT/.p"
    if [ -s "$OUT/.p" ]; then
      read -r pm pmin pmax < <(stats "$OUT/.p")
      printf '  %-7s agent premain median %d ms (min %d, max %d); last: %s\n' "$app" "$pm" "$pmin" "$pmax" \
        "$(awk -F'\t' -v j="$jdk" -v a="$app" '$1==j && $2==a && $3=="agent" {p=$7} END {print p}' "$RAW")" >> "$summary"
    fi
    awk -F'\t' -v j="$jdk" -v a="$app" '$1==j && $2==a && $3=="agent" && $8!="" {
        if (match($8, /^[0-9]+/)) print substr($8, RSTART, RLENGTH)}' "$RAW" > "$OUT/.p"
    if [ -s "$OUT/.p" ]; then
      read -r pm pmin pmax < <(stats "$OUT/.p")
      printf '  %-7s agent background start (beside main) median %d ms (min %d, max %d); last: %s\n' "$app" "$pm" "$pmin" "$pmax" \
        "$(awk -F'\t' -v j="$jdk" -v a="$app" '$1==j && $2==a && $3=="agent" {p=$8} END {print p}' "$RAW")" >> "$summary"
    fi
    diff=$(( w_agent - w_none ))
    verdict=$([ "$diff" -le "$TARGET_MS" ] && echo MET || echo MISSED)
    printf '  %-7s added (median wall): %d ms -> target <= %d ms %s   (median cpu added: %d ms)\n\n' \
      "$app" "$diff" "$TARGET_MS" "$verdict" "$(( c_agent - c_none ))" >> "$summary"
  done
done
rm -f "$OUT/.w" "$OUT/.c" "$OUT/.p"
echo "raw: $RAW, logs: $OUT/logs/" >> "$summary"
cat "$summary"
