#!/usr/bin/env bash
# Times egress-audit's whole analysis path against tshark, tcpflow and a bare libpcap read on the same
# generated upload capture; prints a markdown table and writes it to benchmarks/results/compare-<date>.md.
#
#   benchmarks/scripts/compare.sh [--size 1.1G] [--seed 42] [--rebuild] [--runs N]
#
# Environment: HEAP (default 3g) for the JVM, DATA_DIR (default benchmarks/data).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
size=1.1G
seed=42
rebuild=0
runs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "usage: $0 [--size 1.1G] [--seed 42] [--rebuild] [--runs N]" >&2; exit 2 ;;
  esac
done
heap="${HEAP:-3g}"
data="${DATA_DIR:-$repo/benchmarks/data}"
results="$repo/benchmarks/results"
capture="$data/uploads-$size-seed$seed.pcap"
corpus="$data/corpus-seed$seed"
policy="$repo/scenarios/policies/default.yaml"
bench_jar="$repo/benchmarks/target/benchmarks.jar"
audit_jar="$repo/harness/target/egress-audit.jar"
work="$(mktemp -d "${TMPDIR:-/tmp}/egress-compare.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$data" "$results"

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "installing $2 for $1" >&2
    apt-get install -y -q "$2" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "$2" >/dev/null; }
  fi
}
need tshark tshark
need tcpflow tcpflow
need tcpdump tcpdump
need taskset util-linux
[ -x /usr/bin/time ] || need /usr/bin/time time

cd "$repo"
if [ "$rebuild" = 1 ] || [ ! -f "$bench_jar" ] || [ ! -f "$audit_jar" ]; then
  echo "building analyzers, benchmarks and harness..." >&2
  mvn -o -q -B -pl analyzers -am install -DskipTests
  mvn -o -q -B -pl benchmarks package
  mvn -o -q -B -pl harness -am package -DskipTests
fi

if [ ! -f "$capture" ] || [ ! -f "$corpus/corpus.yaml" ]; then
  echo "generating $capture (corpus $corpus)..." >&2
  java -Xmx2g -cp "$bench_jar" org.egressaudit.benchmarks.tools.UploadCaptureGenerator \
    --out "$capture.tmp" --size "$size" --seed "$seed" --corpus-base "$repo/scenarios/corpora/basic" \
    --corpus-out "$corpus" >&2
  mv "$capture.tmp" "$capture"
fi
bytes=$(stat -c %s "$capture")
packets=$(capinfos -c -M "$capture" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}' || true)
# Warm the page cache so every tool reads from memory; the comparison is about CPU, not the disk.
cat "$capture" > /dev/null

rows=()
# run NAME NOTES CMD...: times CMD with /usr/bin/time -v (best wall time of $runs), records MB/s and peak RSS.
run() {
  local name="$1" notes="$2"; shift 2
  local best="" rss="" cpu="" status=0
  for i in $(seq 1 "$runs"); do
    rm -rf "$work/out"; mkdir -p "$work/out"
    set +e
    /usr/bin/time -v -o "$work/time" "$@" > "$work/stdout" 2> "$work/stderr"
    status=$?
    set -e
    local wall
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(j=1;j<=n;j++) s=s*60+a[j]; print s}' "$work/time")
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a<b)}'; then
      best="$wall"
      rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/time")
      cpu=$(awk -F': ' '/Percent of CPU/ {print $2}' "$work/time")
    fi
  done
  local mbs
  mbs=$(awk -v b="$bytes" -v s="$best" 'BEGIN{printf "%.0f", b/1e6/s}')
  echo "$name: ${best}s, $mbs MB/s, peak RSS ${rss} MB, CPU $cpu, exit $status" >&2
  # egress-audit exits 1 for a FAIL verdict, which is the expected outcome here; 2+ is an error.
  local ok_max=0
  case "$name" in egress*) ok_max=1 ;; esac
  if [ "$status" -gt "$ok_max" ]; then
    echo "  (non-zero exit; stderr tail:)" >&2; tail -5 "$work/stderr" >&2
    notes="$notes; exit status $status"
  fi
  rows+=("| $name | $best | **$mbs** | $rss | $cpu | $notes |")
  cp "$work/stdout" "$work/last-stdout"
}

java_opts=(-Xmx"$heap" -XX:+UseParallelGC)
run "egress-audit analyze, 1 core" "taskset -c 0, -XX:ActiveProcessorCount=1, --threads 1, -Xmx$heap" \
  taskset -c 0 java -XX:ActiveProcessorCount=1 "${java_opts[@]}" -jar "$audit_jar" analyze --pcap "$capture" \
  --corpus "$corpus" --policy "$policy" --json "$work/out/report-1.json" --threads 1 --quiet
verdict1=$(head -1 "$work/last-stdout" || true)
run "egress-audit analyze, 2 cores" "--threads 2, -Xmx$heap" \
  java "${java_opts[@]}" -jar "$audit_jar" analyze --pcap "$capture" --corpus "$corpus" --policy "$policy" \
  --json "$work/out/report-2.json" --threads 2 --quiet
verdict2=$(head -1 "$work/last-stdout" || true)
run "tshark --export-objects http" "single pass, objects written to a tmp dir" \
  tshark -r "$capture" -q --export-objects "http,$work/out"
run "tcpflow" "flows written to a tmp dir" tcpflow -r "$capture" -o "$work/out"
run "tcpdump -r -w /dev/null (libpcap read)" "bare read + write, no parsing" tcpdump -r "$capture" -w /dev/null

date_tag=$(date -u +%Y-%m-%d)
out_md="$results/compare-$date_tag.md"
{
  echo "# egress-audit vs. tshark / tcpflow / libpcap — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Capture: \`$(basename "$capture")\`, $bytes bytes${packets:+, $packets packets} (generated by"
  echo "UploadCaptureGenerator --size $size --seed $seed); corpus \`$(basename "$corpus")\` ($(du -sm "$corpus" | cut -f1) MB);"
  echo "policy \`scenarios/policies/default.yaml\`. Page cache warm, best of $runs run(s)."
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
  echo "$(free -g | awk '/Mem:/ {print $2}') GB RAM; $(java -version 2>&1 | head -1);"
  echo "$(tshark --version 2>/dev/null | head -1); $(tcpflow --version 2>&1 | head -1); $(tcpdump --version 2>&1 | head -1)."
  echo
  echo "| Tool | Wall s | MB/s | Peak RSS MB | CPU | Notes |"
  echo "|---|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "egress-audit verdicts: 1 core: \`$verdict1\`; 2 cores: \`$verdict2\`"
} > "$out_md"
cat "$out_md"
echo "written to $out_md" >&2
