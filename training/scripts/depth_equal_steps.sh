#!/usr/bin/env bash
# Table 3 at equal steps (issue 16): the binary SRResNet x4 with 8, 16 and 24 residual blocks, each from scratch for
# the same number of steps (default 800 of 16 x 96², configs/ablation_binary_blocks{8,16,24}.toml otherwise), into
# runs/ablations/depth/. The first campaign compared depths at equal wall time, so deeper models got fewer steps;
# here every depth sees the same samples. Then: benchmarks/ablation_table.sh --depth.
#   cd training && scripts/depth_equal_steps.sh [STEPS] [BLOCKS ...]      (blocks: 8 16 24)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-800}
shift || true
depths=("$@")
[ ${#depths[@]} -gt 0 ] || depths=(8 16 24)
python=${PYTHON:-../.venv/bin/python}
out=../runs/ablations/depth
for blocks in "${depths[@]}"; do
    name="depth_b$blocks"
    if [ -f "$out/$name.safetensors" ]; then
        echo "$(date +%T) skip $name: already exported to $out"
        continue
    fi
    rm -rf "../runs/$name"  # a row always starts from scratch, never from an earlier attempt's checkpoint
    "$python" -m binsr_train train "configs/ablation_binary_blocks$blocks.toml" \
        --set "iterations=$steps" --set "name=\"$name\"" --set "models_dir=\"$out\""
done
