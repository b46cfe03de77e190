#!/usr/bin/env bash
# Builds and runs the JMH suite (about 8-9 minutes on 2 cores), writes JSON results and a markdown summary
# (MB/s per stage, allocation per MB for the streaming stages) into benchmarks/results/.
#
#   benchmarks/scripts/jmh.sh [--no-build] [extra JMH args, e.g. a benchmark regex]
#
# The streaming stages (capture reading, packet decoding, reassembly, HTTP parsing) run with -prof gc: they
# must not allocate per packet, so their allocation per operation is part of the result. Inputs (a 256 MiB and
# a 64 MiB capture, a ~20 MB corpus) are generated on first use into ${EGRESS_BENCH_DIR:-/tmp/egress-bench}.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
cd "$repo"
if [ "$build" = 1 ]; then
  mvn -o -q -B -pl analyzers -am install -DskipTests
  mvn -o -q -B -pl benchmarks package
fi
jar="$repo/benchmarks/target/benchmarks.jar"
results="$repo/benchmarks/results"
mkdir -p "$results"
stamp=$(date -u +%Y-%m-%d-%H%M)
bench_dir="${EGRESS_BENCH_DIR:-/tmp/egress-bench}"
jvm=(-Degress.bench.dir="$bench_dir")

streaming='capture.PcapReaderBenchmark|packet.PacketDecoderBenchmark|flow.FlowTableBenchmark|protocol.http.HttpParsingBenchmark'
content='detect.ContentScannerBenchmark|decode.DecoderBenchmark|engine.AnalysisEngineBenchmark'
if [ $# -gt 0 ]; then
  java "${jvm[@]}" -jar "$jar" -jvmArgsAppend "-Degress.bench.dir=$bench_dir" -rf json -rff "$results/jmh-$stamp-custom.json" "$@"
  files=("$results/jmh-$stamp-custom.json")
else
  java "${jvm[@]}" -jar "$jar" -jvmArgsAppend "-Degress.bench.dir=$bench_dir" -prof gc -rf json \
    -rff "$results/jmh-$stamp-streaming.json" "$streaming"
  java "${jvm[@]}" -jar "$jar" -jvmArgsAppend "-Degress.bench.dir=$bench_dir" -rf json \
    -rff "$results/jmh-$stamp-content.json" "$content"
  files=("$results/jmh-$stamp-streaming.json" "$results/jmh-$stamp-content.json")
fi

python3 - "$results/jmh-$stamp.md" "${files[@]}" <<'EOF'
import json, sys
out, files = sys.argv[1], sys.argv[2:]
lines = ["| Benchmark | Params | MB/s | ± | ops/s | alloc B/op | alloc B per MB |", "|---|---|---:|---:|---:|---:|---:|"]
for f in files:
    for r in json.load(open(f)):
        name = r["benchmark"].replace("org.egressaudit.benchmarks.", "")
        params = ", ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
        sec = r.get("secondaryMetrics", {})
        b = sec.get("bytes", {})
        mbs = b.get("score", float("nan")) / 1e6
        err = b.get("scoreError", float("nan")) / 1e6
        ops = r["primaryMetric"]["score"]
        alloc = sec.get("gc.alloc.rate.norm", {}).get("score")
        per_mb = alloc / (b["score"] / ops / 1e6) if alloc is not None and b.get("score") else None
        lines.append(f"| {name} | {params} | {mbs:,.0f} | {err:,.0f} | {ops:,.2f} | "
                     f"{'' if alloc is None else f'{alloc:,.0f}'} | {'' if per_mb is None else f'{per_mb:,.0f}'} |")
text = "\n".join(lines) + "\n"
open(out, "w").write(text)
print(text)
print("summary written to", out)
EOF
