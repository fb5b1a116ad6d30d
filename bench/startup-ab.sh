#!/usr/bin/env bash
# Time to the first 200 on GET / of a hello app without an agent and with two agent jars, the three
# alternating round by round, so that two builds of the agent can be compared in one run.
#
#   AGENT_A=/tmp/agent-before.jar AGENT_B=agent/target/rainbarrel-agent.jar ROUNDS=6 bench/startup-ab.sh
#   AGENT_A=agent/target/rainbarrel-agent.jar AGENT_B=agent/target/rainbarrel-agent.jar B_OPTS=servers=none bench/startup-ab.sh
#
# Env: AGENT_A, AGENT_B (required), A_OPTS, B_OPTS (agent options of each, default none),
# ROUNDS (default 6), APP (jetty|spring, default jetty),
# JAVA (default Temurin 25), PORT (default 18473). Needs bench/target/startup-classpath.txt
# (built by bench/startup.sh, or mvn -B -q -pl agent,bench -am package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${AGENT_A:?set AGENT_A to an agent jar}" "${AGENT_B:?set AGENT_B to an agent jar}"
ROUNDS=${ROUNDS:-6}
APP=${APP:-jetty}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
PORT=${PORT:-18473}
case "$APP" in
  jetty) MAIN=dev.rainbarrel.bench.startup.JettyHello ;;
  spring) MAIN=dev.rainbarrel.bench.startup.SpringHello ;;
  *) echo "startup-ab: unknown APP '$APP' (jetty, spring)" >&2; exit 1 ;;
esac
for f in "$AGENT_A" "$AGENT_B" bench/target/startup-classpath.txt; do
  [ -f "$f" ] || { echo "startup-ab: $f missing" >&2; exit 1; }
done
CP="bench/target/classes:$(cat bench/target/startup-classpath.txt)"
now_us() { local t=$EPOCHREALTIME; echo $(( ${t%.*} * 1000000 + 10#${t#*.} )); }

A_OPTS=${A_OPTS:-}
B_OPTS=${B_OPTS:-}

# one run: prints "wall_ms cpu_ms"; $1 = agent jar or none, $2 = its options
run() {
  local a=() start end pid ticks code ok=0
  [ "$1" != none ] && a=("-javaagent:$1${2:+=$2}")
  start=$(now_us)
  "$JAVA" "${a[@]}" -cp "$CP" "$MAIN" "$PORT" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 6000); do   # bounded: at most ~60 s of polling
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null || true)
    if [ "$code" = 200 ]; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.005
  done
  end=$(now_us)
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$ok" = 1 ] || { echo "startup-ab: no 200 from $APP with $1" >&2; exit 1; }
  echo "$(( (end - start) / 1000 )) $(( ticks * 1000 / $(getconf CLK_TCK) ))"
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2 ? v[(NR+1)/2] : int((v[NR/2] + v[NR/2+1]) / 2))}'; }

OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
echo "# startup-ab: $APP, $ROUNDS rounds, A=$AGENT_A${A_OPTS:+=$A_OPTS}, B=$AGENT_B${B_OPTS:+=$B_OPTS}, $("$JAVA" -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%F %T UTC')"
for r in $(seq 1 "$ROUNDS"); do
  for m in none A B; do
    jar=none opts=
    [ "$m" = A ] && jar=$AGENT_A opts=$A_OPTS
    [ "$m" = B ] && jar=$AGENT_B opts=$B_OPTS
    line="$m $(run "$jar" "$opts")"
    echo "round $r: $line"
    echo "$line" >> "$OUT"
  done
done
base=$(awk '$1=="none"{print $2}' "$OUT" | median)
cbase=$(awk '$1=="none"{print $3}' "$OUT" | median)
for m in none A B; do
  w=$(awk -v m=$m '$1==m{print $2}' "$OUT" | median)
  c=$(awk -v m=$m '$1==m{print $3}' "$OUT" | median)
  echo "$m: wall median $w ms (added $((w - base)) ms), cpu median $c ms (added $((c - cbase)) ms)"
done
