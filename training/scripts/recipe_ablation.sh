#!/usr/bin/env bash
# The recipe ablation (issue 16): configs/recipe_b16_*.toml rows from the same start state, one after another, each
# for the same number of steps (default 400; equal steps rather than equal seconds because on a shared CPU the
# OpenMP threads' spin-waits inflate the CPU clock), into runs/ablations/recipe/. The control row `base` is the raw
# weights of the `ema` run (an average does not change the trajectory). Then: benchmarks/ablation_table.sh --recipe.
#   cd training && scripts/recipe_ablation.sh [STEPS] [ROW ...]      (rows: ema l2 kd patch144)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-400}
shift || true
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(ema l2 kd patch144)
python=${PYTHON:-../.venv/bin/python}
out=../runs/ablations/recipe
for row in "${rows[@]}"; do
    rm -rf "../runs/recipe_b16_$row"  # a row always starts from init_from, never from an earlier attempt's checkpoint
    rm -f "$out/recipe_b16_$row".*
    "$python" -m binsr_train train "configs/recipe_b16_$row.toml" --set "iterations=$steps"
    if [ "$row" = ema ]; then
        "$python" - "$out" <<'PY'
import json, pathlib, sys
import torch
from safetensors import safe_open
from binsr_train.config import ModelConfig
from binsr_train.data.training_images import DEFAULT_FOLDERS, TRAIN_ROOT
from binsr_train.metrics.psnr import evaluate, held_out_pairs
from binsr_train.weights.export import export_model, save_train_state
out = pathlib.Path(sys.argv[1])
with safe_open(str(out / "recipe_b16_ema.train.safetensors"), "pt") as handle:
    meta = handle.metadata()
config = ModelConfig(**json.loads(meta["model_config"]))
model = config.build()
model.load_state_dict(torch.load("../runs/recipe_b16_ema/checkpoint.pt", weights_only=False)["model"])
pairs = held_out_pairs(TRAIN_ROOT, DEFAULT_FOLDERS, config.scale)
psnr = evaluate(model, pairs, config.scale)
provenance = {k: v for k, v in meta.items() if k not in ("model_config", "ema_decay")}
provenance |= {"psnr_val_python": f"{psnr:.3f}", "raw_weights_of": "recipe_b16_ema"}
export_model(model, config, out / "recipe_b16_base.safetensors", provenance)
save_train_state(model, config, out / "recipe_b16_base.train.safetensors", provenance)
print(f"[recipe_b16_base] raw weights of the ema run: validation (held-out) {psnr:.3f} dB")
PY
    fi
done
