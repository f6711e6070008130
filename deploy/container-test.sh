#!/usr/bin/env bash
# End-to-end test of the container image, as a user would run it:
#   builds the real Dockerfile with podman, runs the image with its port published, waits for /readyz, upscales a
#   real photo (Set5 bird, downscaled) through the port, checks the output's size, then sends SIGTERM while a request
#   is in flight and checks that the request completes and the container exits with code 0 within the drain deadline.
# Slow (first run: base images by debootstrap + a 3.4 GB toolchain copy + a release build, ~15-25 min on 2 cores;
# later runs reuse the layers), so it is not part of every test run. It runs:
#   - by hand:            deploy/container-test.sh
#   - with the test suite: BINSR_CONTAINER_TEST=1 scripts/test.sh   (Tests/deploy/test_container.py calls it)
# Needs root, podman, buildah, runc and debootstrap (installed here from Debian if missing) and the Debian mirror.
# Prints: image size, time to ready, upscale latency, drain time, exit code.
# Environment: BINSR_CONTAINER_PORT (host port, default 18080), BINSR_PYTHON (makes the input image; needs Pillow),
#   BINSR_TEST_IMAGE (default ../shared/datasets/Set5/bird.png), BINSR_TEST_MODELS_DIR (a folder of weight files
#   mounted read-only over the image's /app/models, as a weights volume would be; default: the baked-in models/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

need=()
for tool in podman buildah runc debootstrap curl; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
    echo "container-test: installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${need[@]}" >/dev/null
fi
# shellcheck source=deploy/images/podman-env.sh
source deploy/images/podman-env.sh

port=${BINSR_CONTAINER_PORT:-18080}
python=${BINSR_PYTHON:-python3}
photo=${BINSR_TEST_IMAGE:-$root/../shared/datasets/Set5/bird.png}
image=localhost/binsr:container-test
name=binsr-container-test-$$
work=$(mktemp -d)
cleanup() {
    binsr_podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "container-test: FAIL: $*" >&2; binsr_podman logs "$name" 2>&1 | tail -40 >&2 || true; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# The image bakes in models/ (COPY fails without the folder); without weight files it never turns ready.
if ! compgen -G "models/*.safetensors" >/dev/null && [ -z "${BINSR_TEST_MODELS_DIR:-}" ]; then
    echo "container-test: FAIL: no weight files in models/ and no BINSR_TEST_MODELS_DIR: the service would never be" \
        "ready (export trained weights, or: benchmarks/make_bench_weights.py DIR; BINSR_TEST_MODELS_DIR=DIR)" >&2
    exit 1
fi
mkdir -p models

deploy/images/make-base-images.sh

echo "container-test: podman build (release build inside the build stage)"
build_start=$(now)
nice -n 10 podman --cgroup-manager cgroupfs build --runtime "$(command -v runc)" --pull=never --format docker \
    --layers --build-arg SWIFT_IMAGE=localhost/swift:6.3.1-bookworm \
    --build-arg RUNTIME_IMAGE=localhost/debian:bookworm-slim -t "$image" . >"$work/build.log" 2>&1 \
    || { tail -40 "$work/build.log"; fail "podman build"; }
build_end=$(now)
size=$(binsr_podman image inspect --format '{{.Size}}' "$image")
echo "container-test: image $image: $((size / 1000000)) MB ($size bytes), build $(elapsed "$build_start" "$build_end") s"
# What the binary still loads dynamically (the build stage prints `ldd /out/binsr`).
grep -E '^\s+\S+ => ' "$work/build.log" | sed 's/^\s*/    ldd: /' || true
# ... and that the runtime image has every one of them (a missing one would only show as a crash at start).
binsr_podman run --rm --entrypoint ldd "$image" /usr/local/bin/binsr >"$work/ldd.txt" 2>/dev/null || fail "ldd"
! grep 'not found' "$work/ldd.txt" || fail "the runtime image lacks shared libraries the binary needs"

# Input: the photo at 1/4 size (its x4 upscale is the original's size). Made here, never committed.
"$python" - "$photo" "$work" <<'PY'
import sys
from PIL import Image
photo, work = sys.argv[1], sys.argv[2]
with Image.open(photo) as im:
    rgb = im.convert("RGB")
    rgb.resize((rgb.width // 4, rgb.height // 4), Image.BICUBIC).save(f"{work}/small.png")
PY
png_size() { "$python" -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n", "not a PNG"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1"; }
small=$(png_size "$work/small.png")
w=${small%x*}; h=${small#*x}; expected="$((w * 4))x$((h * 4))"

models=()
if [ -n "${BINSR_TEST_MODELS_DIR:-}" ]; then
    models=(-v "$(cd "$BINSR_TEST_MODELS_DIR" && pwd):/app/models:ro")
    echo "container-test: weights from $BINSR_TEST_MODELS_DIR: $(cd "$BINSR_TEST_MODELS_DIR" && echo *.safetensors)"
fi
echo "container-test: run, port 127.0.0.1:$port -> 8080"
start=$(now)
# Without systemd podman cannot schedule the HEALTHCHECK (it logs that on stderr); it is run by hand below.
binsr_podman run -d --name "$name" -p "127.0.0.1:$port:8080" --read-only --tmpfs /tmp --cap-drop ALL \
    --security-opt no-new-privileges "${models[@]}" "$image" >/dev/null 2>"$work/run.log" || { cat "$work/run.log"; fail "run"; }
url=http://127.0.0.1:$port
ready=""; live=""
for _ in $(seq 1 600); do
    [ -n "$live" ] || { [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")" = "200" ] && live=$(now); }
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = "200" ]; then ready=$(now); break; fi
    [ "$(binsr_podman inspect -f '{{.State.Running}}' "$name")" = "true" ] || fail "container exited before ready"
    sleep 0.1
done
[ -n "$live" ] && echo "container-test: live after $(elapsed "$start" "$live") s (podman run to first 200 on /healthz)"
[ -n "$ready" ] || fail "/readyz not 200 within 60 s; it says: $(curl -s "$url/readyz" | head -c 500)"
echo "container-test: ready after $(elapsed "$start" "$ready") s (podman run to first 200 on /readyz)"

[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")" = "200" ] || fail "/healthz"
binsr_podman healthcheck run "$name" >/dev/null 2>&1 || fail "the image's HEALTHCHECK reports unhealthy"
[ "$(binsr_podman exec "$name" id -u)" = "10001" ] || fail "the service does not run as uid 10001"
curl -sf "$url/v1/models" >"$work/models.json" || fail "/v1/models"

t0=$(now)
code=$(curl -s -o "$work/out.png" -w '%{http_code}' -F "image=@$work/small.png;type=image/png" \
    "$url/upscale?scale=4&model=binary")
t1=$(now)
[ "$code" = "200" ] || fail "multipart upscale: HTTP $code: $(head -c 300 "$work/out.png")"
got=$(png_size "$work/out.png")
[ "$got" = "$expected" ] || fail "multipart upscale: $got, expected $expected"
echo "container-test: multipart upscale $small -> $got in $(elapsed "$t0" "$t1") s"
code=$(curl -s -o "$work/out-raw.png" -w '%{http_code}' -H 'Content-Type: image/png' \
    --data-binary "@$work/small.png" "$url/upscale?scale=4&model=binary")
[ "$code" = "200" ] && [ "$(png_size "$work/out-raw.png")" = "$expected" ] || fail "raw-body upscale: HTTP $code"
echo "container-test: raw image/png upscale $small -> $expected"
# WebP out and back in: the runtime stage must carry libwebp (the binary links it; a missing .so fails at start,
# a wrong one here).
code=$(curl -s -o "$work/out.webp" -w '%{http_code}' -H 'Content-Type: image/png' -H 'Accept: image/webp' \
    --data-binary "@$work/small.png" "$url/upscale?scale=2&model=bicubic")
[ "$code" = "200" ] && [ "$(head -c 4 "$work/out.webp")" = "RIFF" ] \
    && [ "$(dd if="$work/out.webp" bs=1 skip=8 count=4 2>/dev/null)" = "WEBP" ] || fail "WebP output: HTTP $code"
code=$(curl -s -o "$work/out-from-webp.png" -w '%{http_code}' -H 'Content-Type: image/webp' \
    --data-binary "@$work/out.webp" "$url/upscale?scale=2&model=bicubic&format=png")
[ "$code" = "200" ] || fail "WebP input: HTTP $code"
echo "container-test: WebP out (Accept: image/webp) and back in"
# A body that is no image is the client's error: a 4xx with a message, never a 5xx or a dropped connection.
code=$(curl -s -o "$work/bad.txt" -w '%{http_code}' -H 'Content-Type: image/png' --data-binary 'not a png' \
    "$url/upscale?scale=4&model=binary")
[[ "$code" == 4?? ]] || fail "a non-image body gave HTTP $code, expected 4xx"
echo "container-test: non-image body -> HTTP $code"
# The series the autoscaler and the alerts read (deploy/prometheus/alerts.yml, components/queue-depth), now that
# requests have been counted.
curl -sf "$url/metrics" >"$work/metrics.txt" || fail "/metrics"
for series in binsr_queue_depth binsr_http_requests_total binsr_http_request_duration_seconds_bucket; do
    grep -q "^$series" "$work/metrics.txt" || fail "/metrics has no $series"
done
# Peak memory of the container so far (cgroup v1 max_usage, or v2 memory.peak), against the pod's 2560 MiB limit.
cgroup=$(binsr_podman inspect -f '{{.State.CgroupPath}}' "$name")
for f in "/sys/fs/cgroup/memory$cgroup/memory.max_usage_in_bytes" "/sys/fs/cgroup$cgroup/memory.peak"; do
    [ -r "$f" ] && echo "container-test: peak memory $(($(cat "$f") / 1048576)) MiB" && break
done

# Graceful shutdown: an upscale in flight, then SIGTERM to the container (tini forwards it to binsr). The request
# must end well within the 30 s drain (a 288x288 x4 upscale takes ~40 s on 2 busy cores, so the small input it is).
curl -s -o "$work/inflight.png" -w '%{http_code}' -F "image=@$work/small.png;type=image/png" \
    "$url/upscale?scale=4&model=binary" >"$work/inflight.code" &
inflight=$!
# Signal half-way through, as timed by the first upscale.
sleep "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 2 }')"
term=$(now)
binsr_podman kill --signal SIGTERM "$name" >/dev/null
sleep 0.2
# While draining, the pod must leave the load balancer: /readyz answers non-200, or nothing listens any more.
draining=$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz" || true)
[ "$draining" != "200" ] || fail "/readyz still 200 while draining"
exit_code=$(timeout 60 podman --runtime "$(command -v runc)" --cgroup-manager cgroupfs wait "$name") \
    || fail "no exit within 60 s of SIGTERM"
stopped=$(now)
wait "$inflight" || true
echo "container-test: SIGTERM -> exit code $exit_code after $(elapsed "$term" "$stopped") s;" \
    "in-flight $small upscale: HTTP $(cat "$work/inflight.code"); /readyz while draining: $draining"
[ "$exit_code" = "0" ] || fail "exit code $exit_code after SIGTERM"
[ "$(cat "$work/inflight.code")" = "200" ] || fail "the request in flight at SIGTERM did not complete"
echo "container-test: PASS"
