#!/usr/bin/env bash
# The recipe ablation (issue 16): every configs/recipe_b16_*.toml row from the same start state, one after another,
# each for the same compute budget (default 600 s of CPU time per thread, so a shared machine gives every row the
# same work), into runs/ablations/recipe/. Then: benchmarks/ablation_table.sh --recipe.
#   cd training && scripts/recipe_ablation.sh [SECONDS] [ROW ...]      (rows: base ema patch144 kd l2)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(base ema patch144 kd l2)
python=${PYTHON:-../.venv/bin/python}
for row in "${rows[@]}"; do
    rm -rf "../runs/recipe_b16_$row"  # a row always starts from init_from, never from an earlier attempt's checkpoint
    rm -f "../runs/ablations/recipe/recipe_b16_$row".*
    "$python" -m binsr_train train "configs/recipe_b16_$row.toml" --seconds "$seconds"
done
