#!/usr/bin/env bash
# A session's training queue: the campaign (configs/campaign.toml, which ends after its round), then the paper's
# ablations at their configs' budgets, one after another. Restartable: an ablation whose exported model exists is
# skipped, the campaign skips finished slices. Start it detached so it outlives the shell:
#   cd training && setsid nohup nice -n 10 scripts/train_queue.sh > ../runs/queue.log 2>&1 < /dev/null &
set -uo pipefail
cd "$(dirname "$0")/.."
python=${BINSR_PYTHON:-../.venv/bin/python}
"$python" -m binsr_train campaign configs/campaign.toml
for name in ablation_alpha_learnable ablation_alpha_deterministic ablation_binary_blocks8 ablation_binarize_all \
            ablation_binary_blocks16 ablation_binary_blocks24 ablation_real_blocks16; do
    if [ -f "../runs/ablations/models/$name.safetensors" ]; then
        echo "$(date +%T) skip $name: already exported"
        continue
    fi
    echo "$(date +%T) ablation $name"
    "$python" -m binsr_train train "configs/$name.toml" || echo "$(date +%T) $name failed with $?"
done
echo "$(date +%T) queue finished"
