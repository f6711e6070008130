#!/usr/bin/env bash
# Load benchmark for a running `binsr serve`: throughput and latency percentiles of POST /upscale.
#
#   benchmarks/load.sh IMAGE.png [URL] [DURATION_S] [CONNECTIONS] [QUERY]
#   benchmarks/load.sh ../shared/datasets/Set5/baby.png http://127.0.0.1:8080 30 4 'scale=2&model=binary&arch=srresnet'
#
# Uses wrk (Debian package wrk, listed in scripts/packages/service.test.apt) when present, else a curl-based client
# (BINSR_LOAD_CLIENT=curl forces the fallback).
# Reports requests/s, p50/p90/p99 latency and non-200 responses. Run it on an idle machine; repeat and take the
# median of three runs. Keep CONNECTIONS near workers + queueDepth, or the excess measures 503s, not upscaling.
set -euo pipefail
image=${1:?usage: load.sh IMAGE [URL] [DURATION_S] [CONNECTIONS] [QUERY]}
url=${2:-http://127.0.0.1:8080}
duration=${3:-30}
connections=${4:-2}
query=${5:-scale=2&model=binary&arch=srresnet}
case "$image" in
    *.png) type=image/png ;;
    *.jpg|*.jpeg) type=image/jpeg ;;
    *) echo "load.sh: image must be .png or .jpg" >&2; exit 2 ;;
esac
[ -r "$image" ] || { echo "load.sh: cannot read $image" >&2; exit 2; }
curl -sf "$url/healthz" >/dev/null || { echo "load.sh: no server at $url" >&2; exit 2; }
target="$url/upscale?$query"
echo "load.sh: POST $target  image=$image ($(stat -c %s "$image") bytes)  ${duration}s  ${connections} connections"

# One warm-up request (lazy model loading, caches), and a check that the request succeeds at all.
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Content-Type: $type" --data-binary "@$image" "$target")
[ "$status" = 200 ] || { echo "load.sh: warm-up request returned $status" >&2; exit 1; }

if [ "${BINSR_LOAD_CLIENT:-wrk}" = wrk ] && command -v wrk >/dev/null; then
    script=$(mktemp --suffix=.lua)
    trap 'rm -f "$script"' EXIT
    cat > "$script" <<LUA
local f = assert(io.open(os.getenv("BINSR_IMAGE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = os.getenv("BINSR_TYPE")
done = function(summary, latency, requests)
    io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.2f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f errors=%d\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
        summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
            + summary.errors.timeout))
end
LUA
    BINSR_IMAGE="$image" BINSR_TYPE="$type" wrk -t "$connections" -c "$connections" -d "${duration}s" \
        --timeout 120s --latency -s "$script" "$target"
else
    # Fallback: CONNECTIONS parallel curl loops, each request's total time recorded, percentiles by sort.
    times=$(mktemp)
    trap 'rm -f "$times"' EXIT
    end=$(( $(date +%s) + duration ))
    start_ns=$(date +%s%N)
    for _ in $(seq "$connections"); do
        while [ "$(date +%s)" -lt "$end" ]; do
            curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Content-Type: $type" \
                --data-binary "@$image" "$target" >> "$times"
        done &
    done
    wait
    elapsed=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    total=$(wc -l < "$times")
    errors=$(awk '$1 != 200' "$times" | wc -l)
    # Percentiles of successful requests by nearest rank (portable: mawk has no asort).
    awk '$1 == 200 { print $2 * 1000 }' "$times" | sort -n | awk -v total="$total" -v errors="$errors" \
        -v elapsed_ms="$elapsed" '
        { t[++n] = $1 }
        function rank(p) { i = int(p * n + 0.999999); if (i < 1) i = 1; return n ? t[i] : 0 }
        END {
            printf "RESULT requests=%d duration_s=%.2f rps=%.2f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f errors=%d\n",
                total, elapsed_ms / 1000, total / (elapsed_ms / 1000), rank(0.50), rank(0.90), rank(0.99), errors
        }'
fi
