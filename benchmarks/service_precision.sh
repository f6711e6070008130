#!/usr/bin/env bash
# The service's default precision (auto) against --set precision=fp32, through POST /upscale, and the service's
# inference time (Server-Timing) against `binsr bench` for the same model, mode and input size.
#
#   benchmarks/service_precision.sh [SIZES] [RUNS] [SCALE] [MODEL]     e.g. "128 256 512 1024" 3 4 binary
#
# Starts two servers (auto and fp32) on free ports with a private precision cache, waits until auto has measured
# every model,
# then alternates requests between them. Input: random-noise PNGs of each size (a worst case for nothing: the
# network's cost does not depend on the content). Prints one row per size: median Server-Timing inference of
# auto and fp32, their ratio, binsr bench's median for auto's mode at that size, and Server-Timing / bench.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=${1:-128 256 512 1024}
runs=${2:-3}
scale=${3:-4}
model=${4:-binary}
bin="$root/.build/release/binsr"
[ -x "$bin" ] || { echo "service_precision.sh: build first: swift build -c release" >&2; exit 2; }
tmp=$(mktemp -d)
# As scripts/serve.sh runs the service: idle OpenMP threads sleep instead of spinning. Here it also keeps the idle
# server of the pair from spinning on the cores while the other one works (measured: 1.5-1.7x slower otherwise).
export OMP_WAIT_POLICY=passive
python=${BINSR_PYTHON:-$root/.venv/bin/python}
port_auto=$(( 20000 + RANDOM % 20000 )); port_fp32=$(( port_auto + 1 ))
common=(--host 127.0.0.1 --workers 1 --set modelsDirectory="$root/models" --set maxInputPixels=16777216
        --set precisionCache="$tmp/precision.json" --set http.bodyTimeout=600 --set http.writeTimeout=600)
"$bin" serve --port "$port_auto" "${common[@]}" >"$tmp/auto.log" 2>&1 &
auto=$!
"$bin" serve --port "$port_fp32" "${common[@]}" --set precision=fp32 >"$tmp/fp32.log" 2>&1 &
fp32=$!
trap 'kill $auto $fp32 2>/dev/null; wait $auto $fp32 2>/dev/null; rm -rf "$tmp"' EXIT
key="srresnet-$model-x$scale"
mode=""
for _ in $(seq 900); do  # auto measures every model once (seconds each); wait for all, so none competes
    mode=$(curl -sf "127.0.0.1:$port_auto/v1/models" | "$python" -c "
import json, sys
models = json.load(sys.stdin)['models']
done = all(m.get('precisionSource', '').startswith('auto (measured') for m in models)
print([m['precision'] for m in models if m['name'] == '$key'][0] if done else '')" 2>/dev/null || true)
    [ -n "$mode" ] && break
    sleep 1
done
[ -n "$mode" ] || { echo "service_precision.sh: auto did not finish measuring" >&2; tail "$tmp/auto.log" >&2; exit 1; }
curl -sf "127.0.0.1:$port_fp32/readyz" >/dev/null
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); auto chose $mode for $key"
echo "| input | auto ($mode) ms | fp32 ms | auto / fp32 | bench $mode ms | Server-Timing / bench |"
echo "|---|---|---|---|---|---|"
inference() { grep -i '^server-timing' | tr ',' '\n' | sed -n 's/.*inference;dur=\([0-9.]*\).*/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for size in $sizes; do
    "$python" -c "
import numpy as np; from PIL import Image
Image.fromarray(np.random.default_rng($size).integers(0, 256, ($size, $size, 3), dtype=np.uint8)).save('$tmp/in.png')"
    : >"$tmp/a"; : >"$tmp/f"
    for i in $(seq 0 "$runs"); do  # run 0 warms both (primitive creation for this shape)
        a=$(curl -sf -D - -o /dev/null -H 'Content-Type: image/png' --data-binary "@$tmp/in.png" \
            "127.0.0.1:$port_auto/upscale?scale=$scale&model=$model&arch=srresnet" | inference)
        f=$(curl -sf -D - -o /dev/null -H 'Content-Type: image/png' --data-binary "@$tmp/in.png" \
            "127.0.0.1:$port_fp32/upscale?scale=$scale&model=$model&arch=srresnet" | inference)
        [ "$i" -gt 0 ] && { echo "$a" >>"$tmp/a"; echo "$f" >>"$tmp/f"; }
    done
    ma=$(median <"$tmp/a"); mf=$(median <"$tmp/f")
    bench=$("$bin" bench --models-dir "$root/models" --scale "$scale" --size "$size" --runs "$runs" --warmup 1 \
        --cases "$model:$mode" --json | "$python" -c "
import json, statistics, sys; print(statistics.median(json.loads(sys.stdin.readline())['times_ms']))")
    awk -v s="$size" -v a="$ma" -v f="$mf" -v b="$bench" -v m="$mode" 'BEGIN {
        printf "| %dx%d | %.0f | %.0f | %.2f | %.0f | %.2f |\n", s, s, a, f, a / f, b, a / b }'
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
