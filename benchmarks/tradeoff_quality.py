"""The PSNR of every point of the trade-off chart (benchmarks/tradeoff.py), on one protocol for all of them.

Protocol: Y channel (BT.601), border = scale, HR mod-cropped, LR = MATLAB bicubic of the HR **rounded to 8 bits**, as
a user would supply it (docs/evaluation.md; `binsr eval --rounded-lr`). The seed's README tables use the unrounded LR
of the papers; rounding costs 0.001-0.04 dB (bicubic Set5 x4 28.4314 vs 28.4322), and it is what OpenCV's models get.

- binsr and bicubic: `binsr eval --rounded-lr --no-ifc --json` (the Swift `Evaluation` module, the reference).
- precision modes: fp32 plus the mode's PSNR change in the model's quality gate (models/*.gate.json, `binsr gate`).
- OpenCV dnn_superres models: scored here with the training package's NumPy ports of the same protocol
  (binsr_train.metrics.psnr.load_benchmark: imresize + MATLAB rounding; psnr_y), which match the Swift ones bit for bit
  on the imresize vectors (Tests/Fixtures/bicubic).

Scores are cached in a JSON file under a signature of what they depend on (weights, binary, images), so timing
reruns do not evaluate again.
"""
import hashlib
import json
import os
import pathlib
import subprocess
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))
from binsr_train.metrics.psnr import load_benchmark, psnr_y  # noqa: E402  (the training package's protocol, reused)

# The networks `binsr eval --method` names, and the OpenCV dnn_superres models (file stem, setModel name).
NETWORKS = ("srresnet-real", "srresnet-binary", "lapsrn-real", "lapsrn-binary")
OPENCV_MODELS = (("ESPCN", "espcn"), ("FSRCNN", "fsrcnn"), ("LapSRN", "lapsrn"))


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def weights_file(models_dir, method, scale):
    """The weight file `binsr eval --method METHOD --scale S` reads (an x4 LapSRN serves x2), or None for bicubic."""
    if method == "bicubic":
        return None
    arch, kind = method.split("-")
    for s in (scale, 2 * scale) if arch == "lapsrn" else (scale,):
        path = pathlib.Path(models_dir) / f"{arch}_x{s}_{kind}.safetensors"
        if path.exists():
            return path
    raise FileNotFoundError(f"no {arch}_x{scale}_{kind}.safetensors in {models_dir}")


def gate_change(models_dir, method, scale, dataset, mode):
    """PSNR change of `mode` against fp32 on DATASET xSCALE, from the weights' quality gate (None: not measured)."""
    if mode == "fp32":
        return 0.0
    gate_path = str(weights_file(models_dir, method, scale)).removesuffix(".safetensors") + ".gate.json"
    if not os.path.exists(gate_path):
        return None
    return json.load(open(gate_path))["changes"].get(mode, {}).get(f"{dataset}_x{scale}")


class QualityCache:
    """PSNR per (what, dataset, scale), kept only while its signature (inputs' identities) stays the same; a cache
    without a path keeps nothing."""

    def __init__(self, path=None):
        self.path = pathlib.Path(path) if path else None
        self.entries = json.loads(self.path.read_text()) if self.path and self.path.exists() else {}

    def get(self, key, signature, compute):
        entry = self.entries.get(key)
        if entry is None or entry["signature"] != signature:
            entry = {"signature": signature, "psnr": compute()}
            self.entries[key] = entry
            if self.path:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
        return entry["psnr"]


def image_names(dataset_dir):
    return sorted(p.name for p in pathlib.Path(dataset_dir).glob("*.png"))


def binsr_psnr(cache, binsr, models_dir, dataset_dir, dataset, scale, method):
    """Mean PSNR of `binsr eval --method METHOD --precision fp32 --rounded-lr` on the dataset."""
    weights = weights_file(models_dir, method, scale)
    binary = pathlib.Path(binsr).resolve()
    signature = {"images": image_names(dataset_dir), "weights": weights and sha256(weights),
                 "binsr": [str(binary), binary.stat().st_mtime]}

    def evaluate():
        command = [str(binsr), "eval", "--dataset", str(dataset_dir), "--scale", str(scale), "--method", method,
                   "--precision", "fp32", "--rounded-lr", "--no-ifc", "--json", "--models-dir", str(models_dir)]
        print(f"tradeoff: binsr eval {dataset} x{scale} {method}", flush=True)
        result = subprocess.run(command, check=True, capture_output=True, text=True)
        return json.loads(result.stdout)["meanPSNR"]

    return cache.get(f"binsr {method} {dataset} x{scale}", signature, evaluate)


def opencv_model(cv2, opencv_dir, stem, name, scale):
    sr = cv2.dnn_superres.DnnSuperResImpl_create()
    sr.readModel(str(pathlib.Path(opencv_dir) / f"{stem}_x{scale}.pb"))
    sr.setModel(name, scale)
    return sr


def opencv_psnr(cache, cv2, opencv_dir, dataset_dir, dataset, scale, stem, name):
    """Mean PSNR of an OpenCV dnn_superres model given the rounded 8-bit LR (BGR uint8, as `upsample` takes it)."""
    pb = pathlib.Path(opencv_dir) / f"{stem}_x{scale}.pb"
    signature = {"images": image_names(dataset_dir), "weights": sha256(pb), "opencv": cv2.__version__}

    def evaluate():
        print(f"tradeoff: OpenCV {stem} {dataset} x{scale}", flush=True)
        sr = opencv_model(cv2, opencv_dir, stem, name, scale)
        scores = []
        for hr, lr in load_benchmark(pathlib.Path(dataset_dir), scale):
            sr_rgb = sr.upsample(np.ascontiguousarray(lr[..., ::-1]))[..., ::-1]
            scores.append(psnr_y(hr, np.ascontiguousarray(sr_rgb), scale))
        return float(np.mean(scores))

    return cache.get(f"opencv {stem} {dataset} x{scale}", signature, evaluate)
