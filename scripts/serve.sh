#!/usr/bin/env bash
# Builds binsr in release mode and starts the upscale service on port 8080 (config/binsr.json).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
echo "serve: building (release)"
swift build -c release
exec .build/release/binsr serve "$@"
