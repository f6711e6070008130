#!/usr/bin/env bash
# HTTP overhead: the end-to-end time of POST /upscale (curl, warm server) against the same upscale through the CLI
# (`binsr upscale`, which also reads the weights: that favours the server). Runs alternate so both see the same load.
#
#   benchmarks/http_overhead.sh IMAGE.png [RUNS] [QUERY]      (release build; starts its own server on a free port)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
image=${1:?usage: http_overhead.sh IMAGE.png [RUNS] [QUERY]}
runs=${2:-5}
scale=4; arch=srresnet; weights=binary
bin="$root/.build/release/binsr"
[ -x "$bin" ] || { echo "http_overhead.sh: build first: swift build -c release" >&2; exit 2; }
port=$(( 20000 + RANDOM % 20000 ))
tmp=$(mktemp -d)
"$bin" serve --port "$port" --host 127.0.0.1 --workers 1 --set modelsDirectory="$root/models" >"$tmp/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do curl -sf "127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
url="http://127.0.0.1:$port/upscale?scale=$scale&model=$weights&arch=$arch"
curl -sf -F "image=@$image" "$url" -o "$tmp/warm.png"
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for i in $(seq "$runs"); do
    s=$(date +%s.%N); "$bin" upscale "$image" -o "$tmp/cli.png" --scale $scale --arch $arch --weights $weights \
        --models-dir "$root/models"; e=$(date +%s.%N); echo "$s $e" | awk '{print $2 - $1}' >>"$tmp/cli"
    curl -sf -F "image=@$image" "$url" -o "$tmp/http.png" -w '%{time_total}\n' >>"$tmp/http"
done
cli=$(median <"$tmp/cli"); http=$(median <"$tmp/http")
# Pixels, not bytes: the service's PNG compression level (config) differs from the CLI's.
python3 - "$tmp/cli.png" "$tmp/http.png" <<'PY' && same="identical pixels" || same=DIFFERENT
import sys, zlib, struct
def pixels(path):  # IDAT payload inflated: the filtered scanlines (same encoder, same filters -> same bytes)
    data, out, pos = open(path, "rb").read(), b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT": out += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return zlib.decompress(out)
sys.exit(0 if pixels(sys.argv[1]) == pixels(sys.argv[2]) else 1)
PY
echo "image $(basename "$image"), $arch $weights x$scale, $runs runs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cli median ${cli}s  http median ${http}s  ratio $(echo "$http $cli" | awk '{printf "%.3f", $1 / $2}')  outputs $same"
