"""The speed/quality trade-off (issue 17): PSNR on Set5 and Set14 at x4 and x2 against the time per 128x128 input on
this machine, for every binsr model and precision mode, PyTorch and OpenVINO on the same weights, and the OpenCV
dnn_superres models users are pointed to (ESPCN, FSRCNN, LapSRN; ../shared/peers/opencv/SOURCES.md).

    swift build -c release
    .venv/bin/python benchmarks/tradeoff.py --rounds 5 --runs 3          # docs/tradeoff.png and docs/tradeoff.json
    .venv/bin/python benchmarks/tradeoff.py --quick --out /tmp/chart     # CI: one round, one image per set, 32x32

PSNR: benchmarks/tradeoff_quality.py (one protocol for every point, LR rounded to 8 bits; cached, so a rerun only
times). PyTorch and OpenVINO run the same weights as binsr (benchmarks/pytorch_bench.py builds the modules; binary
files as dense alpha * sign weights) and are drawn at binsr's fp32 PSNR of those weights. Time: the median over
rounds x runs of one forward pass on a size x size input, after warm-up; every engine is timed once per round, in
an order that reverses every other round, so a slow spell of a shared machine lands on all of them alike. binsr
times come from `binsr bench --json` (the engine alone, as the README's speed tables), OpenCV's from `upsample` on
a uint8 BGR image (its whole call: the model's pre- and post-processing included).
"""
import argparse
import datetime
import json
import os
import pathlib
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np
import torch

import pytorch_bench as pb
import tradeoff_plot
import tradeoff_quality as quality

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCALES = (4, 2)
DATASETS = ("Set5", "Set14")
ARCHS = ("srresnet", "lapsrn")


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binsr", default=os.environ.get("BINSR_BIN", str(ROOT / ".build/release/binsr")),
                    help="the binsr executable (default: $BINSR_BIN, else .build/release/binsr)")
    ap.add_argument("--models-dir", default=str(ROOT / "models"))
    ap.add_argument("--datasets", default=str(ROOT.parent / "shared/datasets"))
    ap.add_argument("--opencv-models", default=str(ROOT.parent / "shared/peers/opencv"))
    ap.add_argument("--out", default=str(ROOT / "docs"), help="folder for tradeoff.png and tradeoff.json")
    ap.add_argument("--cache", default=str(ROOT / "runs/tradeoff/quality.json"), help="PSNR cache")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3, help="timed runs per engine and round")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs per engine and round first")
    ap.add_argument("--size", type=int, default=128, help="input edge in pixels")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--no-openvino", action="store_true")
    ap.add_argument("--quick", action="store_true",
                    help="CI's smoke run: 1 round of 1 run, no warm-up, 32x32 input, one image per dataset")
    args = ap.parse_args(argv)
    if args.quick:
        args.rounds, args.runs, args.warmup, args.size = 1, 1, 0, 32
    if args.rounds < 1 or args.runs < 1 or args.warmup < 0:
        ap.error("--rounds and --runs must be >= 1, --warmup >= 0")
    if not os.access(args.binsr, os.X_OK):
        ap.error(f"no binsr executable at {args.binsr} (swift build -c release, or --binsr / BINSR_BIN)")
    return args


def quick_datasets(datasets_dir, scratch):
    """One image per set (the smallest), linked into `scratch`: enough to run every step of the pipeline."""
    from PIL import Image
    folders = {}
    for name in DATASETS:
        images = sorted(pathlib.Path(datasets_dir, name).glob("*.png"), key=lambda p: Image.open(p).size[0] *
                        Image.open(p).size[1])
        folders[name] = pathlib.Path(scratch, name)
        folders[name].mkdir()
        (folders[name] / images[0].name).symlink_to(images[0])
    return folders


def quality_table(args, cv2, folders):
    """{(dataset, scale, what): PSNR} for bicubic, every binsr network (fp32) and every OpenCV model."""
    cache = quality.QualityCache(args.cache)
    psnr = {}
    for scale in SCALES:
        for dataset, folder in folders.items():
            for method in ("bicubic",) + quality.NETWORKS:
                psnr[dataset, scale, method] = quality.binsr_psnr(
                    cache, args.binsr, args.models_dir, folder, dataset, scale, method)
            for stem, name in quality.OPENCV_MODELS:
                psnr[dataset, scale, f"opencv-{stem}"] = quality.opencv_psnr(
                    cache, cv2, args.opencv_models, folder, dataset, scale, stem, name)
    return psnr


def time_calls(call, runs, warmup):
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        call()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1e3)
    return times


def timing_cases(args, cv2):
    """Callables that each time one engine on one (arch or OpenCV model, scale) and return {key: [ms, ...]}."""
    x = torch.rand(1, 3, args.size, args.size, generator=torch.Generator().manual_seed(1))
    x_last = x.contiguous(memory_format=torch.channels_last)
    image = np.random.default_rng(1).integers(0, 256, (args.size, args.size, 3), dtype=np.uint8)
    cases = []
    for scale in SCALES:
        for arch in ARCHS:
            cases.append(lambda scale=scale, arch=arch: {
                (scale, "binsr", f"{arch}-{k.split()[1]}", k.split()[2]): v for k, v in pb.binsr_bench(
                    args.binsr, args.models_dir, arch, scale, args.size, args.runs, args.warmup,
                    pb.BINSR_CASES).items()})
            models = {kind: pb.load_model(pb.weights_path(args.models_dir, arch, scale, kind), scale)
                      for kind in ("real", "binary")}
            for kind, model in models.items():
                for bf16 in (False, True):
                    key = (scale, "PyTorch", f"{arch}-{kind}", "bf16" if bf16 else "fp32")
                    cases.append(lambda model=model, key=key, bf16=bf16: {
                        key: pb.time_torch(model, x_last, args.runs, args.warmup, bf16)})
            vino = {} if args.no_openvino else pb.openvino_models(models, x, args.threads)
            for (kind, hint), compiled in vino.items():
                cases.append(lambda compiled=compiled, key=(scale, "OpenVINO", f"{arch}-{kind}", hint): {
                    key: pb.time_openvino(compiled, x.numpy(), args.runs, args.warmup)})
        for stem, name in quality.OPENCV_MODELS:
            sr = quality.opencv_model(cv2, args.opencv_models, stem, name, scale)
            cases.append(lambda sr=sr, key=(scale, "OpenCV", f"opencv-{stem}", "fp32"): {
                key: time_calls(lambda: sr.upsample(image), args.runs, args.warmup)})
    return cases


def measure(cases, rounds):
    samples = {}
    for r in range(rounds):
        print(f"tradeoff: timing round {r + 1}/{rounds}, load {pb.uptime()}", flush=True)
        for case in cases if r % 2 == 0 else reversed(cases):
            for key, times in case().items():
                samples.setdefault(key, []).extend(times)
    return samples


def points(args, psnr, samples):
    """Every point drawn: its panel, engine, model, precision, PSNR (and where it comes from) and median time."""
    rows = []
    for (scale, engine, model, precision), times in sorted(samples.items()):
        for dataset in DATASETS:
            base = psnr[dataset, scale, model]
            source = "binsr eval fp32" if engine != "OpenCV" else "scored by tradeoff_quality.py"
            change = 0.0
            if engine == "binsr" and precision != "fp32":
                change = quality.gate_change(args.models_dir, model, scale, dataset, precision)
                if change is None:
                    continue  # a mode the gate never measured has no PSNR to draw
                source = "binsr eval fp32 + quality gate change"
            elif engine in ("PyTorch", "OpenVINO"):
                source = "binsr eval fp32 of the same weights"
            rows.append({"dataset": dataset, "scale": scale, "engine": engine, "model": model,
                         "precision": precision, "psnr": base + change, "psnr_source": source,
                         "time_ms": statistics.median(times), "n": len(times)})
    return rows


def main(argv=None):
    args = parse_args(argv)
    import cv2
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    cpu = pb.cpu_summary()
    print(f"tradeoff: CPU {cpu}; load {pb.uptime()}", flush=True)
    scratch = tempfile.mkdtemp(prefix="binsr-tradeoff-")
    try:
        folders = (quick_datasets(args.datasets, scratch) if args.quick
                   else {name: pathlib.Path(args.datasets, name) for name in DATASETS})
        images = {name: quality.image_names(folder) for name, folder in folders.items()}
        start = time.perf_counter()
        psnr = quality_table(args, cv2, folders)
        print(f"tradeoff: PSNR ready after {time.perf_counter() - start:.0f} s", flush=True)
        cases = timing_cases(args, cv2)
        print(f"tradeoff: models loaded and compiled after {time.perf_counter() - start:.0f} s", flush=True)
        samples = measure(cases, args.rounds)
        print(f"tradeoff: timed after {time.perf_counter() - start:.0f} s", flush=True)
    finally:
        shutil.rmtree(scratch)
    versions = {"torch": torch.__version__, "opencv": cv2.__version__}
    try:
        import openvino
        versions["openvino"] = openvino.__version__
    except ImportError:
        pass
    result = {
        "command": " ".join(["benchmarks/tradeoff.py"] + (argv if argv is not None else sys.argv[1:])),
        "date": datetime.date.today().isoformat(), "cpu": cpu, "threads": args.threads, "size": args.size,
        "rounds": args.rounds, "runs": args.runs, "warmup": args.warmup, "quick": args.quick,
        "images": images,
        "versions": versions,
        "bicubic": [{"dataset": d, "scale": s, "psnr": psnr[d, s, "bicubic"]} for s in SCALES for d in DATASETS],
        "points": points(args, psnr, samples),
    }
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tradeoff.json").write_text(json.dumps(result, indent=1))
    tradeoff_plot.draw(result, out / "tradeoff.png")
    print(f"tradeoff: wrote {out / 'tradeoff.png'} and {out / 'tradeoff.json'} ({len(result['points'])} points)")


if __name__ == "__main__":
    main()
