#!/usr/bin/env bash
# Runs every test of the project: Swift (unit, golden-vector, CLI, live-server integration), the Python training
# tests, the benchmarks' chart (one tiny round), the real-browser viewer test and the deployment checks. Installs
# what is missing first (scripts/setup.sh).
# The container build-and-run test is slow (15-25 min) and runs only with BINSR_CONTAINER_TEST=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh --python
venv=${BINSR_VENV:-$root/.venv}
export BINSR_PYTHON="$venv/bin/python"

echo "test: swift build"
swift build
echo "test: swift test (Swift suites)"
swift test
echo "test: python, training/ (PyTorch pipeline)"
(cd training && "$venv/bin/python" -m pytest -q)
echo "test: python, Tests/viewer (headless Chromium against binsr serve)"
# fp32: the viewer test is about the page, and `auto` would spend the first seconds timing modes in a debug build.
BINSR_PRECISION=fp32 BINSR_BIN=.build/debug/binsr BINSR_VIEWER_STRICT=1 "$venv/bin/python" -m pytest -q Tests/viewer
echo "test: python, Tests/benchmarks (the speed/quality chart, one round on tiny inputs, so it cannot rot; the NIQE/BRISQUE scores)"
BINSR_BIN=.build/debug/binsr "$venv/bin/python" -m pytest -q Tests/benchmarks
echo "test: python, Tests/deploy (Dockerfile lint, Kubernetes schemas, compose, Prometheus rules)"
"$venv/bin/python" -m pytest -q Tests/deploy
