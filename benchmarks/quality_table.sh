#!/usr/bin/env bash
# The README's quality table: `binsr eval` (Y channel, border = scale, LR unrounded as in LapSRN's protocol) for
# bicubic and every shipped model on Set5 and Set14, plus the precision modes (bf16/int8 of the binary layers,
# bf16-all of every layer).
#   benchmarks/quality_table.sh [DATASETS_DIR]      (release build; writes one JSON per row to runs/quality/;
#   rows whose JSON is newer than their weights and the binary are reused, QUALITY_FORCE=1 measures all)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
datasets=${1:-$root/../shared/datasets}
bin="$root/.build/release/binsr"
out="$root/runs/quality"
mkdir -p "$out"
weights_file() {  # arch scale kind: the file binsr uses (an x4 LapSRN serves x2 too when there is no x2 file)
    local file="$root/models/${1}_x${2}_${3}.safetensors"
    if [ ! -f "$file" ] && [ "$1" = lapsrn ]; then file="$root/models/${1}_x$((2 * $2))_${3}.safetensors"; fi
    echo "$file"
}
row() {  # dataset scale method precision
    local file="$out/$1_x$2_$3_$4.json"
    local weights
    weights=$(weights_file "${3%-*}" "$2" "${3#*-}")
    # QUALITY_SKIP: a regex over "DATASET xSCALE METHOD PRECISION" of rows to leave out of this run.
    if [ -n "${QUALITY_SKIP:-}" ] && [[ "$1 x$2 $3 $4" =~ $QUALITY_SKIP ]]; then return; fi
    # Make-like: a row is measured again only when its JSON is older than the weights or the binsr binary.
    if [ ! -s "$file" ] || [ "$bin" -nt "$file" ] || { [ -f "$weights" ] && [ "$weights" -nt "$file" ]; } \
        || [ "${QUALITY_FORCE:-0}" = 1 ]; then
        "$bin" eval --dataset "$datasets/$1" --scale "$2" --method "$3" --precision "$4" --models-dir "$root/models" \
            --json >"$file.tmp" && mv "$file.tmp" "$file"
    fi
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); m=d; \
print(f\"| {sys.argv[2]} | x{sys.argv[3]} | {sys.argv[4]} | {sys.argv[5]} | {m['meanPSNR']:.2f} | {m['meanSSIM']:.4f} | {m['meanIFC']:.3f} |\")" \
        "$file" "$1" "$2" "$3" "$4"
}
echo "| dataset | scale | method | precision | PSNR | SSIM | IFC |"
echo "|---|---|---|---|---|---|---|"
for scale in 4 2; do
    for dataset in Set5 Set14; do
        row "$dataset" "$scale" bicubic fp32
        for method in srresnet-real srresnet-binary lapsrn-real lapsrn-binary; do
            arch=${method%-*}; kind=${method#*-}
            [ -f "$(weights_file "$arch" "$scale" "$kind")" ] || continue
            row "$dataset" "$scale" "$method" fp32
            if [ "${QUALITY_PRECISIONS:-0}" = 1 ]; then  # per-mode changes: binsr gate + precision_deltas.py
                if [ "$kind" = binary ]; then
                    row "$dataset" "$scale" "$method" bf16
                    row "$dataset" "$scale" "$method" int8
                fi
                row "$dataset" "$scale" "$method" bf16-all
            fi
        done
    done
done
