#!/usr/bin/env bash
# Installs everything binsr needs beyond the Swift toolchain, idempotently:
#   apt packages (C libraries; with --python also the test tools) and a Python venv for training and tests.
# Usage: scripts/setup.sh [--python]   (serving needs neither the test tools nor the venv)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# Each concern lists its apt packages in scripts/packages/*.apt (one per line, # comments); test and benchmark
# tools (chromium, promtool, wrk, jpegtran) in *.test.apt, installed only for the tests.
lists=("$root"/scripts/packages/*.apt)
[ "${1:-}" = "--python" ] || lists=($(ls "$root"/scripts/packages/*.apt | grep -v '\.test\.apt$'))
apt_packages=($(cat "${lists[@]}" | sed 's/#.*//'))
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing apt packages: ${missing[*]}"
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "setup: apt packages present"
fi

if [ "${1:-}" = "--python" ]; then
    venv=${BINSR_VENV:-$root/.venv}
    if [ ! -x "$venv/bin/python" ]; then
        echo "setup: creating Python venv at $venv"
        python3 -m venv "$venv"
    fi
    stamp="$venv/.binsr-requirements"
    # training/requirements.txt, benchmarks/requirements.txt (the chart runs in the tests) plus any
    # scripts/packages/*.pip (test tools of other concerns).
    wanted=$(cat "$root/training/requirements.txt" "$root/benchmarks/requirements.txt" "$root"/scripts/packages/*.pip \
        2>/dev/null | sed 's/#.*//' | sort -u)
    if [ "$wanted" != "$(cat "$stamp" 2>/dev/null)" ]; then
        echo "setup: installing Python packages into $venv"
        "$venv/bin/pip" install -q --upgrade pip
        echo "$wanted" > "$venv/.binsr-wanted.txt"
        "$venv/bin/pip" install -q -r "$venv/.binsr-wanted.txt"
        [ -f "$root/training/pyproject.toml" ] && "$venv/bin/pip" install -q -e "$root/training" --no-deps
        echo "$wanted" > "$stamp"
    else
        echo "setup: Python venv up to date ($venv)"
    fi
fi
