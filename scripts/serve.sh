#!/usr/bin/env bash
# Builds binsr in release mode and starts the upscale service on port 8080 (config/binsr.json).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
echo "serve: building (release)"
swift build -c release
# oneDNN's OpenMP threads spin while idle by default; passive waiting halves CPU time between requests
# and measured 5-10% faster under load (engine benchmarks).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
exec .build/release/binsr serve "$@"
