#!/usr/bin/env bash
# Installs everything binsr needs beyond the Swift toolchain, idempotently:
#   apt packages (C libraries, test tools) and a Python venv for training and reference tests.
# Usage: scripts/setup.sh [--python]   (--python also creates the venv; tests need it, serving does not)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

apt_packages=(pkg-config libpng-dev libjpeg62-turbo-dev zlib1g-dev libdnnl-dev curl)
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
    if ! cmp -s "$root/training/requirements.txt" "$stamp" 2>/dev/null; then
        echo "setup: installing Python packages (training/requirements.txt) into $venv"
        "$venv/bin/pip" install -q --upgrade pip
        "$venv/bin/pip" install -q -r "$root/training/requirements.txt"
        "$venv/bin/pip" install -q -e "$root/training" --no-deps
        cp "$root/training/requirements.txt" "$stamp"
    else
        echo "setup: Python venv up to date ($venv)"
    fi
fi
