#!/usr/bin/env bash
# The README's ablation table: `binsr eval` (fp32, Y, border 4) of every exported ablation model
# (training/configs/ablation_*.toml -> runs/ablations/models/) on Set5 and Set14 at x4, with each model's budget
# from its weight file's metadata.   benchmarks/ablation_table.sh [DATASETS_DIR]   (release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
datasets=${1:-$root/../shared/datasets}
bin="$root/.build/release/binsr"
out="$root/runs/quality/ablations"
mkdir -p "$out"
echo "| ablation | steps x batch x patch | Set5 PSNR / SSIM | Set14 PSNR / SSIM |"
echo "|---|---|---|---|"
for weights in "$root"/runs/ablations/models/ablation_*.safetensors; do
    [[ "$weights" == *.train.safetensors ]] && continue  # training states, not engine weights
    [ -f "$weights" ] || continue
    name=$(basename "$weights" .safetensors)
    for dataset in Set5 Set14; do
        "$bin" eval --dataset "$datasets/$dataset" --scale 4 --method "$weights" --no-ifc --json > "$out/${name}_$dataset.json"
    done
    python3 - "$weights" "$out/${name}_Set5.json" "$out/${name}_Set14.json" "$name" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    meta = json.loads(f.read(struct.unpack("<Q", f.read(8))[0])).get("__metadata__", {})
s5, s14 = (json.load(open(p)) for p in sys.argv[2:4])
budget = f"{meta.get('iterations', '?')} x {meta.get('batch', '?')} x {meta.get('patch', '?')}"
print(f"| {sys.argv[4].removeprefix('ablation_')} | {budget} | {s5['meanPSNR']:.2f} / {s5['meanSSIM']:.4f} | "
      f"{s14['meanPSNR']:.2f} / {s14['meanSSIM']:.4f} |")
PY
done
