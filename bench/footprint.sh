#!/usr/bin/env bash
# Memory footprint of the agent (issue 8, target: <= 20 MB heap and native): a Jetty 12 hello
# server without (A) and with (B) -javaagent:rainbarrel-agent.jar (default options), both with
# -XX:NativeMemoryTracking=summary and the same fixed, pre-touched heap (-Xms = -Xmx, so the Java
# heap committed and resident is equal on both sides and the agent's heap cost shows as heap *used*
# after a full GC, and the RSS difference is not just heap pages that one side happened to touch).
# After a wrk warm-up of each side: jcmd GC.run, GC.heap_info, VM.native_memory summary,
# GC.class_histogram; B - A per category, median over RUNS fresh pairs of JVMs.
#
# Usage: bench/footprint.sh
# Settings (environment):
#   RUNS=3 WARMUP=10s        pairs of fresh JVMs; wrk -d of the warm-up on each side
#   THREADS=1 CONNS=16       wrk -t / -c of the warm-up
#   HEAP=256m                -Xms and -Xmx of both sides
#   JAVA=/path/to/java       default: a JDK 25 under /usr/lib/jvm (else 22+)
#   JVM_OPTS="..."           extra options for both A and B
#   SKIP_BUILD=1             use the jars already in agent/target and bench/target
# Results: bench/target/footprint/{summary.txt,runs.tsv,run<i>-<A|B>-{nmt,heap,histo}.txt,*.log}
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=footprint
# shellcheck source=bench/load-common.sh
. bench/load-common.sh
CMDLINE=$(command_line bench/footprint.sh RUNS WARMUP THREADS CONNS HEAP JAVA JVM_OPTS SKIP_BUILD)

RUNS=${RUNS:-3}
WARMUP=${WARMUP:-10s}
THREADS=${THREADS:-1}
CONNS=${CONNS:-16}
HEAP=${HEAP:-256m}
OUT=bench/target/footprint

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS='$RUNS' is not a positive integer"
[[ "$WARMUP" =~ ^[1-9][0-9]*[smh]?$ ]] || die "WARMUP='$WARMUP' is not a wrk duration like 10s, 2m"
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "THREADS='$THREADS' is not a positive integer"
[[ "$CONNS" =~ ^[1-9][0-9]*$ && "$CONNS" -ge "$THREADS" ]] || die "CONNS='$CONNS' must be an integer >= THREADS"
[[ "$HEAP" =~ ^[1-9][0-9]*[kKmMgG]$ ]] || die "HEAP='$HEAP' is not a heap size like 256m, 1g"

need_wrk
pick_java
build
JCMD="$JDK_BIN/jcmd"
[ -x "$JCMD" ] || die "$JCMD missing (JAVA must be a full JDK)"

rm -rf "$OUT"
mkdir -p "$OUT"
summary="$OUT/summary.txt"
{
  echo "# Memory footprint of the rainbarrel agent: Jetty 12 hello server, B (with agent) - A (without)"
  machine_header
  echo "settings: RUNS=$RUNS WARMUP=$WARMUP (wrk -t$THREADS -c$CONNS on each side before measuring)"
  echo "JVM:      both: -Xms$HEAP -Xmx$HEAP -XX:+AlwaysPreTouch -XX:NativeMemoryTracking=summary ${COMMON_OPTS[*]:-}; B adds -javaagent:$AGENT (default options)"
} > "$summary"
trap stop_all_servers EXIT

# Per side and run, one line of KB figures:
#   total   NMT total committed
#   heapc   NMT "Java Heap" committed (equal on both sides with -Xms = -Xmx)
#   nmt     NMT's own bookkeeping ("Native Memory Tracking"; grows with the number of mallocs)
#   native  total - heapc - nmt: what the JVM committed outside the Java heap, tracking excluded
#   heapu   Java heap used after a full GC (GC.heap_info)
#   class   NMT "Class" + "Metaspace" (class metadata), thread "Thread", code "Code" (JIT),
#   symbol  "Symbol", other: native - class - thread - code - symbol
#   agentcls  shallow bytes of dev.rainbarrel.* instances (bench's own classes excluded), KB
#   rss     VmRSS, anon RssAnon (heap, malloc arenas, metaspace...), file RssFile (jars, libraries),
#           anon_trimmed RssAnon after System.trim_native_heap; barrel: size of the agent's shared-memory file (mapped; NMT does not track it)
measure() { # run side pid -> prints the line
  local run=$1 side=$2 pid=$3 f="$OUT/run$1-$2"
  "$JCMD" "$pid" GC.run > /dev/null || die "jcmd $pid GC.run failed"
  sleep 1
  "$JCMD" "$pid" GC.run > /dev/null
  "$JCMD" "$pid" GC.heap_info > "$f-heap.txt" || die "jcmd $pid GC.heap_info failed"
  "$JCMD" "$pid" VM.native_memory summary scale=KB > "$f-nmt.txt" || die "jcmd $pid VM.native_memory failed"
  "$JCMD" "$pid" GC.class_histogram > "$f-histo.txt" || die "jcmd $pid GC.class_histogram failed"
  local rss anon rfile barrel=0 file
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
  anon=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status")
  rfile=$(awk '/^RssFile:/ { print $2 }' "/proc/$pid/status")
  # glibc keeps freed malloc memory in its arenas (start-up peaks of the JIT, the hooks' class rewriting...): RSS
  # again after handing it back to the OS shows how much of the RSS difference is only that.
  local trimmed
  "$JCMD" "$pid" System.trim_native_heap > "$f-trim.txt" 2>&1 || true
  trimmed=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status")
  for file in /dev/shm/rainbarrel-"$(id -un)"/"$pid".barrel "${TMPDIR:-/tmp}"/rainbarrel-"$(id -un)"/"$pid".barrel; do
    if [ -f "$file" ]; then barrel=$(( $(stat -c %s "$file") / 1024 )); break; fi
  done
  if [ "$side" = B ] && [ "$barrel" = 0 ]; then die "run $run: no Barrel file for B (pid $pid): is the agent active? $(cat "$OUT/run$run-B.log")"; fi
  awk -v run="$run" -v side="$side" -v rss="$rss" -v anon="$anon" -v rfile="$rfile" -v trimmed="$trimmed" -v barrel="$barrel" -v heapfile="$f-heap.txt" -v histo="$f-histo.txt" '
    function kb(s) { sub(/KB.*/, "", s); return s + 0 }
    /^Total: reserved=/ { split($0, a, "committed="); total = kb(a[2]) }
    /^-.*\(reserved=.*committed=/ {
      name = $0; sub(/^- */, "", name); sub(/ *\(reserved=.*/, "", name)
      split($0, a, "committed="); c[name] = kb(a[2])
    }
    END {
      # generation/heap lines ("... total ..., used NK"): one for G1, young + old for Serial/Parallel
      while ((getline line < heapfile) > 0) {
        if (line ~ / total / && match(line, / used [0-9]+K/)) { u = substr(line, RSTART + 6, RLENGTH - 7); heapu += u }
      }
      while ((getline line < histo) > 0) {
        n = split(line, f, " ")
        if (n >= 4 && f[4] ~ /^dev\.rainbarrel\./ && f[4] !~ /^dev\.rainbarrel\.bench\./) agent += f[3]
      }
      if (total == 0 || heapu == "") { print "footprint: could not parse NMT or heap output of run " run " side " side > "/dev/stderr"; exit 3 }
      nmt = c["Native Memory Tracking"]
      native = total - c["Java Heap"] - nmt
      cls = c["Class"] + c["Metaspace"]
      other = native - cls - c["Thread"] - c["Code"] - c["Symbol"]
      printf "%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.0f\t%d\t%d\t%d\t%d\t%d\n", run, side, total, c["Java Heap"], nmt, native, heapu,
        cls, c["Thread"], c["Code"], c["Symbol"], other, agent / 1024, rss, anon, rfile, trimmed, barrel
    }' "$f-nmt.txt"
}

printf 'run\tside\ttotal\theapc\tnmt\tnative\theapu\tclass\tthread\tcode\tsymbol\tother\tagentcls\trss\tanon\tfile\tanon_trimmed\tbarrel\n' > "$OUT/runs.tsv"
opts=(-Xms"$HEAP" -Xmx"$HEAP" -XX:+AlwaysPreTouch -XX:NativeMemoryTracking=summary "${COMMON_OPTS[@]}")
for run in $(seq 1 "$RUNS"); do
  echo "footprint: run $run/$RUNS" >&2
  start_server jetty12 "$OUT/run$run-A.log" "${opts[@]}"; pid_a=$SERVER_PID; port_a=$SERVER_PORT
  start_server jetty12 "$OUT/run$run-B.log" "${opts[@]}" "-javaagent:$AGENT"; pid_b=$SERVER_PID; port_b=$SERVER_PORT
  run_wrk "$port_a" "$WARMUP" "$OUT/run$run-A.wrk.txt"
  run_wrk "$port_b" "$WARMUP" "$OUT/run$run-B.wrk.txt"
  # B must really have the agent counting, or the difference means nothing.
  "$JAVA" -jar "$AGENT" stat "$pid_b" --json > "$OUT/run$run-B-stat.json" 2>&1 || die "run $run: rainbarrel stat $pid_b failed: $(cat "$OUT/run$run-B-stat.json")"
  counted=$(sed -n 's/.*"requests":\([0-9]*\).*/\1/p' "$OUT/run$run-B-stat.json")
  [ -n "$counted" ] && [ "$counted" -gt 0 ] || die "run $run: the agent in B counted no requests: $(cat "$OUT/run$run-B-stat.json")"
  measure "$run" A "$pid_a" >> "$OUT/runs.tsv"
  measure "$run" B "$pid_b" >> "$OUT/runs.tsv"
  stop_server "$pid_a"; stop_server "$pid_b"
done

{
  echo "loadavg:  $(cut -d' ' -f1-3 /proc/loadavg) (end)"
  echo
  echo "B - A in MB, median (min-max) over $RUNS runs (a run = a fresh pair of JVMs, measured after warm-up and full GC):"
  echo
  awk -F'\t' "$AWK_MEDIAN"'
    NR == 1 { for (i = 3; i <= NF; i++) col[i] = $i; ncol = NF; next }
    { for (i = 3; i <= ncol; i++) v[$1, $2, i] = $i; if ($1 > runs) runs = $1 }
    END {
      label[3] = "NMT total committed"; label[4] = "  Java heap committed (fixed -Xms=-Xmx)"
      label[5] = "  NMT own tracking overhead"
      label[6] = "native = total - Java heap - NMT overhead"; label[7] = "Java heap used after full GC"
      label[8] = "  Class + Metaspace (class metadata)"; label[9] = "  Thread"; label[10] = "  Code (JIT)"
      label[11] = "  Symbol"; label[12] = "  other NMT categories"
      label[13] = "dev.rainbarrel.* instances (class histogram)"; label[14] = "RSS (VmRSS)"
      label[15] = "  RssAnon (heap, metaspace, malloc arenas)"; label[16] = "  RssFile (jars, libraries, CDS)"
      label[17] = "  RssAnon after jcmd System.trim_native_heap"
      label[18] = "Barrel file (shared memory, not in NMT)"
      printf "%-46s %10s %20s %12s %12s\n", "", "B-A (MB)", "min-max", "A (MB)", "B (MB)"
      for (i = 3; i <= ncol; i++) {
        for (r = 1; r <= runs; r++) { d[r] = (v[r, "B", i] - v[r, "A", i]) / 1024; a[r] = v[r, "A", i] / 1024; b[r] = v[r, "B", i] / 1024 }
        lo = hi = d[1]; for (r = 2; r <= runs; r++) { if (d[r] < lo) lo = d[r]; if (d[r] > hi) hi = d[r] }
        md = median(d, runs); ma = median(a, runs); mb = median(b, runs)
        if (i == 6) mnative = md
        if (i == 7) mheap = md
        printf "%-46s %10.2f %9.2f-%-10.2f %12.2f %12.2f\n", label[i], md, lo, hi, ma, mb
      }
      printf "\nTarget: the agent <= 20 MB of heap and native memory together:\n"
      printf "  native (NMT, outside the Java heap) %.2f MB + Java heap used %.2f MB = %.2f MB: %s\n", mnative, mheap, mnative + mheap, (mnative + mheap <= 20) ? "met" : "missed"
    }' "$OUT/runs.tsv"
  echo
  echo "The class-histogram row counts only instances of the agent's own classes (shaded ASM under"
  echo "dev.rainbarrel.shaded included); arrays they own are counted as [B/[J/Object[] and so only in"
  echo "\"Java heap used\". The Barrel file is shared memory mapped by the agent (RSS counts the touched pages)."
  echo
  echo "Largest heap differences by class after full GC, run $RUNS (B - A; bytes, instances):"
  awk 'FNR == 1 { side++ } $1 ~ /^[0-9]+:$/ { d = (side == 1) ? -1 : 1; b[$4] += d * $3; n[$4] += d * $2 }
       END { for (k in b) printf "  %10d %8d  %s\n", b[k], n[k], k }' \
    "$OUT/run$RUNS-A-histo.txt" "$OUT/run$RUNS-B-histo.txt" | sort -k1,1nr | awk 'NR <= 15'
  echo
  echo "Raw figures in KB (runs.tsv):"
  column -t -s $'\t' "$OUT/runs.tsv" 2>/dev/null || cat "$OUT/runs.tsv"
  echo
  echo "jcmd outputs: $OUT/run<i>-<A|B>-{nmt,heap,histo}.txt; server logs: *.log; wrk: *.wrk.txt"
} >> "$summary"
cat "$summary"
