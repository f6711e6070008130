#!/usr/bin/env bash
# Two builds of the server, same machine, interleaved rounds: GET /healthz keep-alive throughput (wrk) and
# POST /upscale latency under load (benchmarks/load.sh), medians over the rounds.
#
#   benchmarks/http_compare.sh IMAGE.png ROUNDS NAME=BINARY:CONFIG ...
#   benchmarks/http_compare.sh /tmp/img128.png 3 before=/tmp/old/binsr:/tmp/old/binsr.json after=.build/release/binsr:config/binsr.json
#
# Each round starts each server fresh (127.0.0.1, free port, 2 workers, fp32 so no precision measurement runs),
# runs wrk -t2 -c32 -d8s on /healthz, then load.sh for 10 s with 2 connections ('scale=4&model=binary&arch=srresnet').
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
image=${1:?usage: http_compare.sh IMAGE ROUNDS NAME=BINARY:CONFIG ...}
rounds=${2:?rounds}
shift 2
command -v wrk >/dev/null || { echo "http_compare.sh: wrk not installed (Debian package wrk)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for round in $(seq "$rounds"); do
    for spec in "$@"; do
        name=${spec%%=*}; rest=${spec#*=}; bin=${rest%%:*}; config=${rest#*:}
        port=$(( 20000 + RANDOM % 20000 ))
        OMP_WAIT_POLICY=passive "$bin" serve --config "$config" --host 127.0.0.1 --port "$port" --workers 2 \
            --set modelsDirectory="$root/models" --set precision=fp32 --log-level warning >"$tmp/$name.log" 2>&1 &
        server=$!
        for _ in $(seq 100); do curl -sf "127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
        wrk -t2 -c32 -d8s "http://127.0.0.1:$port/healthz" | awk '/Requests\/sec/ {print $2}' >>"$tmp/$name.rps"
        "$root/benchmarks/load.sh" "$image" "http://127.0.0.1:$port" 10 2 'scale=4&model=binary&arch=srresnet' \
            | sed -n 's/.*p50_ms=\([0-9.]*\).*p99_ms=\([0-9.]*\).*/\1 \2/p' >>"$tmp/$name.lat"
        kill "$server"; wait "$server" 2>/dev/null || true
    done
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $rounds rounds; image $(basename "$image")"
for spec in "$@"; do
    name=${spec%%=*}
    echo "$name: healthz keep-alive $(median <"$tmp/$name.rps") req/s; upscale x4 binary under 2-connection load p50 $(cut -d' ' -f1 "$tmp/$name.lat" | median) ms, p99 $(cut -d' ' -f2 "$tmp/$name.lat" | median) ms"
done
