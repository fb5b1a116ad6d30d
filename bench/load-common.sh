# Shared by bench/load-ab.sh and bench/footprint.sh (sourced, not run): tool checks, the JDK,
# the build, and starting/stopping the hello-world servers of dev.rainbarrel.bench.servers.
# Expects: NAME (script name for messages), the working directory at the repository root.

die() { echo "$NAME: $*" >&2; exit 1; }

# wrk: the Debian package; installed when missing and we are root, else a clear error.
need_wrk() {
  if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "$NAME: installing wrk (apt-get)" >&2
      apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
    fi
    command -v wrk >/dev/null || die "wrk not found: install the Debian package 'wrk' (apt-get install wrk) or put wrk on PATH"
  fi
}

java_feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

# JAVA: as given, else a JDK 25 under /usr/lib/jvm, else any 22+. Sets JAVA, JDK_BIN, FEATURE and
# COMMON_OPTS (options for both sides of an A/B comparison, JVM_OPTS included).
pick_java() {
  JAVA=${JAVA:-}
  local want j v
  if [ -n "$JAVA" ] && [ ! -x "$JAVA" ]; then die "JAVA=$JAVA is not an executable java"; fi
  if [ -z "$JAVA" ]; then
    for want in 25 22; do
      for j in /usr/lib/jvm/*"$want"*/bin/java /usr/lib/jvm/*/bin/java; do
        [ -x "$j" ] || continue
        v=$(java_feature "$j")
        if [ -n "$v" ] && [ "${v%%.*}" -ge "$want" ] 2>/dev/null; then JAVA=$j; break 2; fi
      done
    done
  fi
  [ -n "$JAVA" ] && [ -x "$JAVA" ] || die "no JDK 22+ found under /usr/lib/jvm (set JAVA=/path/to/bin/java)"
  FEATURE=$(java_feature "$JAVA"); FEATURE=${FEATURE%%.*}
  [ -n "$FEATURE" ] || die "JAVA=$JAVA does not run"
  JDK_BIN=$(dirname "$JAVA")
  COMMON_OPTS=()
  # The agent's netlink sampler uses the FFM API; on 22+ the JDK warns unless native access is
  # enabled (README). Given to both sides so that A and B differ by -javaagent only.
  if [ "$FEATURE" -ge 22 ]; then COMMON_OPTS+=(--enable-native-access=ALL-UNNAMED); fi
  # shellcheck disable=SC2206
  COMMON_OPTS+=(${JVM_OPTS:-})
}

AGENT=agent/target/rainbarrel-agent.jar

# Builds the agent jar and the servers (never installs); SKIP_BUILD=1 uses what is there.
build() {
  if [ -z "${SKIP_BUILD:-}" ]; then
    echo "$NAME: building: mvn -B -q -pl agent,bench -am package -DskipTests" >&2
    mkdir -p bench/target
    mvn -B -q -Dstyle.color=never -pl agent,bench -am package -DskipTests > "bench/target/$NAME-build.log" 2>&1 \
      || { cat "bench/target/$NAME-build.log" >&2; die "build failed (log: bench/target/$NAME-build.log)"; }
  fi
  [ -f "$AGENT" ] || die "$AGENT missing (build: mvn -B -q -pl agent,bench -am package -DskipTests)"
  [ -f bench/target/app-classpath.txt ] || die "bench/target/app-classpath.txt missing (same build)"
  [ -d bench/target/classes/dev/rainbarrel/bench/servers ] || die "bench/target/classes has no servers (same build)"
  CP="bench/target/classes:$(cat bench/target/app-classpath.txt)"
}

# awk function for the summaries: the median of a[1..n] (sorts a in place). Use as
#   awk "$AWK_MEDIAN"' ...program... ' file
AWK_MEDIAN='
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
  '

machine_header() {
  echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "command:  $CMDLINE"
  echo "nproc:    $(nproc)   cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)   memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel:   $(uname -r)"
  echo "java:     $JAVA: $("$JAVA" -version 2>&1 | sed -n 2p)"
  echo "wrk:      $(wrk -v 2>&1 | head -1)"
  echo "loadavg:  $(cut -d' ' -f1-3 /proc/loadavg) (start)"
  # The agent's watcher walks the kernel's established-socket hash every second: its cost grows
  # with every TCP connection on the host, whoever owns it (docs/BENCHMARKS.md, Watcher).
  echo "sockets:  $(ss -Htn state established 2>/dev/null | wc -l) established TCP connections on the host (start)"
}

# The command line that reproduces this run: the settings given in the environment + the script.
command_line() { # script var...
  local s=$1 v; shift
  for v in "$@"; do [ -n "${!v:-}" ] && printf '%s=%q ' "$v" "${!v}"; done
  echo "$s"
}

main_class() {
  case $1 in
    jdkhttp) echo dev.rainbarrel.bench.servers.JdkHttpHello ;;
    jetty12) echo dev.rainbarrel.bench.servers.Jetty12Hello ;;
    netty41) echo dev.rainbarrel.bench.servers.Netty41Hello ;;
    *) die "unknown server '$1' (known: jdkhttp jetty12 netty41)" ;;
  esac
}

SERVER_PIDS=()
stop_all_servers() { local p; for p in "${SERVER_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }

# start_server NAME LOG JVM-OPTION... -> SERVER_PID, SERVER_PORT (the server binds 127.0.0.1:0)
start_server() {
  local log=$2 cls; cls=$(main_class "$1"); shift 2
  : > "$log" # exists before the background JVM opens it, so the READY poll never races it
  ${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} "$JAVA" "$@" -cp "$CP" "$cls" 0 > "$log" 2>&1 &
  SERVER_PID=$! # taskset execs java: the same pid
  SERVER_PIDS+=("$SERVER_PID")
  SERVER_PORT=
  for _ in $(seq 1 600); do # 120 s: agent start-up on a loaded 2-core machine takes seconds
    SERVER_PORT=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$log")
    [ -n "$SERVER_PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || die "server $cls exited before READY: $(cat "$log")"
    sleep 0.2
  done
  die "server $cls not READY within 120 s: $(cat "$log")"
}

stop_server() { # pid: SIGTERM (shutdown hooks: the agent deletes its per-pid file, JFR dumps), then -9 after 30 s
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  # forget it, so that the exit trap never signals a recycled pid
  local p rest=()
  for p in "${SERVER_PIDS[@]:-}"; do
    if [ -n "$p" ] && [ "$p" != "$1" ]; then rest+=("$p"); fi
  done
  SERVER_PIDS=("${rest[@]}")
}

run_wrk() { # port duration outfile
  ${WRK_CPUS:+taskset -c "$WRK_CPUS"} wrk -t"$THREADS" -c"$CONNS" -d"$2" --latency "http://127.0.0.1:$1/" > "$3" 2>&1 \
    || die "wrk failed against port $1: $(cat "$3")"
}

# wrk --latency output -> "requests_per_s p50_us p99_us requests errors" (times converted to µs;
# errors = socket errors + non-2xx/3xx responses).
parse_wrk() {
  awk -v name="$NAME" '
    function us(v,   n, u) {
      n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n; if (u == "ms") return n * 1e3; if (u == "s") return n * 1e6
      if (u == "m") return n * 6e7; if (u == "h") return n * 3.6e9
      print name ": unknown wrk time unit in \"" v "\"" > "/dev/stderr"; bad = 1; exit 3
    }
    $1 == "50%" { p50 = us($2) }
    $1 == "99%" { p99 = us($2) }
    / requests in / { req = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { err += $NF }
    END {
      if (bad) exit 3
      if (rps == "" || p50 == "" || p99 == "" || req == "") { print name ": could not parse wrk output " FILENAME > "/dev/stderr"; exit 3 }
      printf "%s %.1f %.1f %d %d\n", rps, p50, p99, req, err
    }' "$1"
}
