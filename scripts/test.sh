#!/usr/bin/env bash
# Runs every test of the project: Swift (unit, golden-vector, CLI, integration) and Python (training).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh --python
venv=${BINSR_VENV:-$root/.venv}
export BINSR_PYTHON="$venv/bin/python"

echo "test: swift build"
swift build
echo "test: swift test"
swift test
echo "test: python (training/)"
(cd training && "$venv/bin/python" -m pytest -q)
