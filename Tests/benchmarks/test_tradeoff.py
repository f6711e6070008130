"""The speed/quality chart (benchmarks/tradeoff.py) on a tiny budget, so that it cannot rot: one round of one run on
32x32 inputs and one image per set, every engine, model and precision mode. It checks what the chart stands on (one
PSNR protocol for all, the same weights in binsr and PyTorch), not the timings.

Run from the repository root:  BINSR_BIN=.build/debug/binsr $BINSR_PYTHON -m pytest -q Tests/benchmarks
Needs the shared data beside the repository (../shared/datasets, ../shared/peers/opencv) and the packages of
benchmarks/requirements.txt (scripts/setup.sh --python installs them).
"""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import pytorch_bench  # noqa: E402
import tradeoff_plot  # noqa: E402
import tradeoff_quality  # noqa: E402
from binsr_train.data.imresize import to_uint8  # noqa: E402  (tradeoff_quality put training/ on the path)

SHARED = ROOT.parent / "shared"
BINARY = pathlib.Path(os.environ.get("BINSR_BIN", ROOT / ".build/debug/binsr")).resolve()
NETWORK_POINTS = {  # engine: (weights kind, precision) drawn for each architecture
    "binsr": {("real", "fp32"), ("real", "bf16-all")} | {
        ("binary", m) for m in ("fp32", "bf16", "int8", "bf16-all", "int8-bf16")},
    "PyTorch": {(k, p) for k in ("real", "binary") for p in ("fp32", "bf16")},
    "OpenVINO": {(k, p) for k in ("real", "binary") for p in ("f32", "bf16")},
}


@pytest.fixture(scope="module")
def binary():
    if not os.access(BINARY, os.X_OK):
        pytest.fail(f"no binsr binary at {BINARY}: run `swift build` (or set BINSR_BIN)")
    return BINARY


@pytest.fixture(scope="module")
def quick_run(binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("tradeoff")
    command = [sys.executable, str(ROOT / "benchmarks/tradeoff.py"), "--quick", "--binsr", str(binary),
               "--out", str(out), "--cache", str(out / "quality.json")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, json.loads((out / "tradeoff.json").read_text())


def test_quick_run_draws_a_png_and_names_cpu_and_command(quick_run):
    out, result = quick_run
    assert (out / "tradeoff.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result["quick"] and result["rounds"] == 1 and result["size"] == 32
    assert "cores" in result["cpu"] and result["command"].startswith("benchmarks/tradeoff.py --quick")
    assert all(len(names) == 1 for names in result["images"].values())


@pytest.mark.parametrize("dataset", ["Set5", "Set14"])
@pytest.mark.parametrize("scale", [4, 2])
def test_every_engine_model_and_mode_is_a_point(quick_run, dataset, scale):
    _, result = quick_run
    panel = [p for p in result["points"] if p["dataset"] == dataset and p["scale"] == scale]
    for engine, expected in NETWORK_POINTS.items():
        for arch in ("srresnet", "lapsrn"):
            drawn = {tuple(p["model"].split("-")[1:]) + (p["precision"],) for p in panel
                     if p["engine"] == engine and p["model"].startswith(arch)}
            assert drawn == expected, (engine, arch)
    assert {p["model"] for p in panel if p["engine"] == "OpenCV"} == {
        "opencv-ESPCN", "opencv-FSRCNN", "opencv-LapSRN"}
    assert all(p["time_ms"] > 0 and np.isfinite(p["psnr"]) and p["n"] == 1 for p in panel)


def test_networks_beat_bicubic_and_share_psnr_across_engines(quick_run):
    _, result = quick_run
    bicubic = {(b["dataset"], b["scale"]): b["psnr"] for b in result["bicubic"]}
    fp32 = {(p["dataset"], p["scale"], p["model"]): p["psnr"] for p in result["points"]
            if p["engine"] == "binsr" and p["precision"] == "fp32"}
    for p in result["points"]:
        if p["engine"] == "OpenCV":
            continue
        assert p["psnr"] > bicubic[p["dataset"], p["scale"]] + 0.5, p
        # Every gated mode is within 0.02 dB (README); PyTorch and OpenVINO run the same weights.
        assert abs(p["psnr"] - fp32[p["dataset"], p["scale"], p["model"]]) <= 0.02, p


def test_opencv_scores_reproduce_the_peer_notes():
    """../shared/peers/opencv/SOURCES.md, Set5 x4 with 8-bit LR: ESPCN 28.38, FSRCNN 28.41, LapSRN 28.74."""
    import cv2
    cache = tradeoff_quality.QualityCache()
    for (stem, name), expected in zip(tradeoff_quality.OPENCV_MODELS, (28.38, 28.41, 28.74)):
        psnr = tradeoff_quality.opencv_psnr(cache, cv2, SHARED / "peers/opencv", SHARED / "datasets/Set5", "Set5", 4,
                                            stem, name)
        assert abs(psnr - expected) <= 0.006, (stem, psnr)  # printed to 0.01 dB there (FSRCNN here: 28.405)


@pytest.mark.parametrize("arch, scale, kind", [("srresnet", 4, "real"), ("lapsrn", 2, "binary")])
def test_pytorch_runs_the_weights_binsr_scores(binary, tmp_path, arch, scale, kind):
    """The PyTorch module (and so OpenVINO's) of benchmarks/pytorch_bench.py gives binsr's PSNR on the same image,
    LapSRN x2 included (the x4 file's first level)."""
    hr_path = SHARED / "datasets/Set5/butterfly.png"
    (tmp_path / hr_path.name).symlink_to(hr_path)
    cache = tradeoff_quality.QualityCache()
    expected = tradeoff_quality.binsr_psnr(cache, binary, ROOT / "models", tmp_path, "Set5", scale, f"{arch}-{kind}")
    [(hr, lr)] = tradeoff_quality.load_benchmark(tmp_path, scale)
    model = pytorch_bench.load_model(pytorch_bench.weights_path(str(ROOT / "models"), arch, scale, kind), scale)
    with torch.inference_mode():
        y = model(torch.from_numpy(lr.transpose(2, 0, 1).astype(np.float32) / 255)[None])
    sr = to_uint8(y[0].clamp(0, 1).numpy().transpose(1, 2, 0) * 255)
    assert abs(tradeoff_quality.psnr_y(hr, sr, scale) - expected) < 0.01


def test_gate_changes_come_from_the_file_that_serves_the_scale():
    gate = json.loads((ROOT / "models/lapsrn_x4_binary.gate.json").read_text())
    change = tradeoff_quality.gate_change(ROOT / "models", "lapsrn-binary", 2, "Set14", "int8")
    assert change == gate["changes"]["int8"]["Set14_x2"]
    assert tradeoff_quality.gate_change(ROOT / "models", "srresnet-real", 4, "Set5", "fp32") == 0.0


def test_pareto_front_keeps_points_nothing_beats_on_both_axes():
    rows = [{"time_ms": t, "psnr": q} for t, q in [(10, 30.0), (5, 29.0), (20, 29.5), (40, 31.0), (5, 28.0)]]
    assert [(r["time_ms"], r["psnr"]) for r in tradeoff_plot.pareto(rows)] == [(5, 29.0), (10, 30.0), (40, 31.0)]
