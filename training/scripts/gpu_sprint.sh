#!/usr/bin/env bash
# One short GPU lease (the device tool lends minutes, not hours): train the shipped models and the paper's ablations
# side by side on one GPU, one process each (a 64-channel SRResNet leaves a big GPU mostly idle), for the same
# wall-clock budget, then pack their train states and logs into $OUT in pieces under 15 MB.
#
#   OUT=/some/dir BINSR_SHARED=/dir/holding/datasets/train SPRINT_SECONDS=400 training/scripts/gpu_sprint.sh
#
# BINSR_SHARED/datasets/train must hold SPRINT_FOLDERS (a subset of the training folders small enough to travel).
# Shipped models start from models/<name>.train.safetensors; ablations from their configs (scratch or init_from).
# Unpack here with `cat $OUT/sprint.tar.* | tar -x -C DIR` (slim/<name>.pt and logs/), then export with
# scripts/import_sprint.py DIR/slim STAGING and compare with `binsr eval` before copying into models/.
set -uo pipefail
cd "$(dirname "$0")/.."  # training/
out=${OUT:?OUT must name the output folder}
seconds=${SPRINT_SECONDS:-440}
batch=${SPRINT_BATCH:-32}
folders=${SPRINT_FOLDERS:-'["BSDS500_test", "T91"]'}
python=${BINSR_PYTHON:-python3}
work=${SPRINT_WORK:-/tmp/sprint}
shipped=${SPRINT_MODELS_DIR:-$PWD/../models}  # where the shipped models start from and are exported to
models=${SPRINT_MODELS-"srresnet_x4_real srresnet_x4_binary srresnet_x2_real srresnet_x2_binary lapsrn_x4_real lapsrn_x4_binary"}
gans=${SPRINT_GANS-""}  # e.g. "srgan_x4_real srgan_x4_binary" (python -m binsr_train srgan)
ablations=${SPRINT_ABLATIONS-"ablation_alpha_learnable ablation_alpha_deterministic ablation_binary_blocks8 ablation_binary_blocks16 ablation_binary_blocks24 ablation_real_blocks16 ablation_binarize_all"}
mkdir -p "$out" "$work/logs" "$work/ablations"
{
    date -u; nvidia-smi --query-gpu=name,memory.total --format=csv 2>/dev/null; nproc
    "$python" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
} > "$work/logs/environment.txt" 2>&1
cp "$work/logs/environment.txt" "$out/"

common=(--set "folders=$folders" --set "batch=$batch" --set threads=1
        --set "runs_dir=\"$work/runs\"" --seconds "$seconds")
# One patch cache for every process (decoding and MATLAB-bicubic downscaling once, ~0.1 s per image).
"$python" - "$folders" "$work/runs" <<'EOF' >> "$work/logs/environment.txt" 2>&1 || exit 1
import pathlib, sys, time, tomllib
from binsr_train.config import load_train_config
from binsr_train.trainers.trainer import Trainer
start = time.time()
config = load_train_config(pathlib.Path("configs/srresnet_x4_real.toml"),
                           {"folders": tomllib.loads(f"v = {sys.argv[1]}")["v"], "runs_dir": sys.argv[2]})
cache = Trainer.make_cache(config)
print(f"cache: {len(cache.images)} images in {time.time() - start:.1f} s")
EOF
for name in $models; do
    "$python" -m binsr_train train "configs/$name.toml" "${common[@]}" --set "models_dir=\"$shipped\"" \
        > "$work/logs/$name.log" 2>&1 &
done
for name in $ablations; do
    "$python" -m binsr_train train "configs/$name.toml" "${common[@]}" --set "models_dir=\"$work/ablations\"" \
        > "$work/logs/$name.log" 2>&1 &
done
for name in $gans; do
    "$python" -m binsr_train srgan "configs/$name.toml" --seconds "$seconds" --set "folders=$folders" \
        --set "batch=$batch" --set threads=1 --set "runs_dir=\"$work/runs_srgan/$name\"" \
        --set "models_dir=\"$work/srgan\"" > "$work/logs/$name.log" 2>&1 &
done
wait
# Slim checkpoints (weights + progress, no optimizer state) whatever happened after training: each trainer saves its
# checkpoint before its Set5 monitor and export, so a failure there loses nothing. scripts/import_sprint.py exports
# them here.
"$python" - "$work" <<'EOF' >> "$work/logs/environment.txt" 2>&1
import pathlib, sys, torch
work = pathlib.Path(sys.argv[1])
(work / "slim").mkdir(exist_ok=True)
# runs/<config name>/ for train; runs_srgan/<config name>/<engine name>/ for srgan (slim files take config names).
for path in sorted((work / "runs").glob("*/checkpoint.pt")) + sorted((work / "runs_srgan").glob("*/*/checkpoint.pt")):
    name = path.parent.name if path.parent.parent.name == "runs" else path.parent.parent.name
    state = torch.load(path, map_location="cpu", weights_only=False)
    torch.save({"model": state["model"], "progress": state["progress"]}, work / "slim" / f"{name}.pt")
    print(name, state["progress"])
EOF
for log in "$work"/logs/*.log; do echo "== $log"; grep -v "\] it " "$log" | tail -5; grep "\] it " "$log" | tail -1; done \
    > "$out/summary.txt"
tar -C "$work" -cf - slim logs | split -b 15m - "$out/sprint.tar."
ls -la "$out"
