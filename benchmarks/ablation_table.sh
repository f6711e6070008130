#!/usr/bin/env bash
# The README's ablation tables: `binsr eval` (fp32, Y, border 4) of every exported ablation model on Set5 and Set14
# at x4, with each model's budget and held-out validation PSNR (when it has one) from its weight file's metadata.
#   benchmarks/ablation_table.sh [DATASETS_DIR]                        the paper's ablations
#       (training/configs/ablation_*.toml -> runs/ablations/models/)
#   benchmarks/ablation_table.sh --recipe [DATASETS_DIR]               the recipe ablations (issue 16)
#       (training/configs/recipe_b16_*.toml via training/scripts/recipe_ablation.sh -> runs/ablations/recipe/)
#   benchmarks/ablation_table.sh --depth [DATASETS_DIR]                Table 3 at equal steps (issue 16)
#       (training/scripts/depth_equal_steps.sh -> runs/ablations/depth/)
# Needs the release build (swift build -c release).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
folder="$root/runs/ablations/models" prefix="ablation_"
if [ "${1:-}" = "--recipe" ]; then
    folder="$root/runs/ablations/recipe" prefix="recipe_b16_"
    shift
elif [ "${1:-}" = "--depth" ]; then
    folder="$root/runs/ablations/depth" prefix="depth_"
    shift
fi
datasets=${1:-$root/../shared/datasets}
bin="$root/.build/release/binsr"
out="$root/runs/quality/$(basename "$folder")"
mkdir -p "$out"
echo "| row | steps x batch x patch | validation (held-out) | Set5 PSNR / SSIM | Set14 PSNR / SSIM |"
echo "|---|---|---|---|---|"
for weights in "$folder"/"$prefix"*.safetensors; do
    [[ "$weights" == *.train.safetensors ]] && continue  # training states, not engine weights
    [ -f "$weights" ] || continue
    name=$(basename "$weights" .safetensors)
    for dataset in Set5 Set14; do
        "$bin" eval --dataset "$datasets/$dataset" --scale 4 --method "$weights" --no-ifc --json > "$out/${name}_$dataset.json"
    done
    python3 - "$weights" "$out/${name}_Set5.json" "$out/${name}_Set14.json" "${name#"$prefix"}" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    meta = json.loads(f.read(struct.unpack("<Q", f.read(8))[0])).get("__metadata__", {})
s5, s14 = (json.load(open(p)) for p in sys.argv[2:4])
budget = f"{meta.get('iterations', '?')} x {meta.get('batch', '?')} x {meta.get('patch', '?')}"
validation = meta.get("psnr_val_python", "-")
print(f"| {sys.argv[4]} | {budget} | {validation} | {s5['meanPSNR']:.2f} / {s5['meanSSIM']:.4f} | "
      f"{s14['meanPSNR']:.2f} / {s14['meanSSIM']:.4f} |")
PY
done
