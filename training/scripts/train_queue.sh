#!/usr/bin/env bash
# A session's training queue: the campaign (configs/campaign.toml, which ends after its round), Table 3 at equal
# steps (scripts/depth_equal_steps.sh, skipped where exported), then configs/campaign_x4.toml (a real x2 slice, then
# the served binary x4 until killed).
# Restartable: finished slices and exported depth rows are skipped. Start it detached so it outlives the shell:
#   cd training && setsid nohup nice -n 10 scripts/train_queue.sh >> ../runs/queue.log 2>&1 < /dev/null &
set -uo pipefail
cd "$(dirname "$0")/.."
python=${BINSR_PYTHON:-../.venv/bin/python}
"$python" -m binsr_train campaign configs/campaign.toml
PYTHON=$python scripts/depth_equal_steps.sh "${DEPTH_STEPS:-800}" || echo "$(date +%T) depth rows failed with $?"
"$python" -m binsr_train campaign configs/campaign_x4.toml
