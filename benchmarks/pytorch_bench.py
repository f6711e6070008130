"""binsr vs PyTorch and OpenVINO on the same architecture and the same weight files, interleaved so all see the
same load.

Run (after `swift build -c release`; OpenVINO: `.venv/bin/pip install -r benchmarks/requirements.txt`):
    .venv/bin/python benchmarks/pytorch_bench.py --rounds 5 --runs 3 [--size 256] [--scale 2]

Each round runs `binsr bench --json` (every precision mode of the real and the binary file), then PyTorch (fp32 and
bf16 autocast, channels_last) and OpenVINO (the same PyTorch module converted by `openvino.convert_model`, f32 and
bf16 inference-precision hints) on the real and the binary file; medians are taken over every timed run of all
rounds. PyTorch and OpenVINO have no binary convolution, so the binary file runs there as dense alpha * sign weights
(what a deployment of the paper's model on them would execute). The CPU (model; AMX / AVX512-BF16 / VNNI) and the
machine load are printed. Ratios use each kind's fastest *gated* binsr mode: fp32, or a mode whose quality gate
(models/*.gate.json, written by `binsr gate`) keeps every Set5/Set14 PSNR change within 0.02 dB.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.numpy import load_file
from safetensors import safe_open

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# Every precision mode of each kind (`binsr bench --cases`): real files have no binary layers for bf16/int8.
BINSR_CASES = ["real:fp32", "real:bf16-all"] + [
    f"binary:{mode}" for mode in ("fp32", "bf16", "int8", "bf16-all", "int8-bf16")]


def conv_weight(ts, name):
    """Dense weights of a real or binary conv (binary: alpha[o] * S, S from LSB-first bits)."""
    if f"{name}.weight" in ts:
        return ts[f"{name}.weight"]
    cout, cin, k, _ = ts[f"{name}.shape"].tolist()
    bits = np.unpackbits(ts[f"{name}.weight_bits"], axis=1, bitorder="little")[:, : cin * k * k]
    signs = bits.astype(np.float32) * 2 - 1
    return (signs * ts[f"{name}.alpha"][:, None]).reshape(cout, cin, k, k)


def make_conv(ts, name):
    w = torch.from_numpy(conv_weight(ts, name).copy())
    conv = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], padding=w.shape[2] // 2)
    conv.weight.data.copy_(w)
    conv.bias.data.copy_(torch.from_numpy(ts[f"{name}.bias"]))
    return conv


def make_prelu(ts, name):
    a = torch.from_numpy(ts[f"{name}.weight"].copy())
    p = nn.PReLU(a.numel())
    p.weight.data.copy_(a)
    return p


def make_deconv(ts, name):
    w = torch.from_numpy(ts[f"{name}.weight"].copy())
    d = nn.ConvTranspose2d(w.shape[0], w.shape[1], 4, stride=2, padding=1)
    d.weight.data.copy_(w)
    d.bias.data.copy_(torch.from_numpy(ts[f"{name}.bias"]))
    return d


class SRResNet(nn.Module):
    """docs/weights-format.md, SRResNet section."""

    def __init__(self, ts, meta):
        super().__init__()
        blocks, scale = int(meta["blocks"]), int(meta["scale"])
        self.head = nn.Sequential(make_conv(ts, "head.conv"), make_prelu(ts, "head.prelu"))
        self.body = nn.ModuleList(
            nn.Sequential(make_conv(ts, f"body.{i}.conv1"), make_prelu(ts, f"body.{i}.prelu"),
                          make_conv(ts, f"body.{i}.conv2")) for i in range(blocks))
        self.body_tail = make_conv(ts, "body_tail.conv")
        self.upsample = nn.ModuleList(
            nn.Sequential(make_conv(ts, f"upsample.{j}.conv"), nn.PixelShuffle(2), make_prelu(ts, f"upsample.{j}.prelu"))
            for j in range(int(math.log2(scale))))
        self.tail = make_conv(ts, "tail.conv")

    def forward(self, x):
        f0 = self.head(x)
        f = f0
        for block in self.body:
            f = f + block(f)
        f = self.body_tail(f) + f0
        for up in self.upsample:
            f = up(f)
        return self.tail(f)


class LapSRN(nn.Module):
    """docs/weights-format.md, LapSRN section; `scale` below the file's keeps only the levels that reach it (an x4
    file's first level is the x2 model, as binsr runs it)."""

    def __init__(self, ts, meta, scale=None):
        super().__init__()
        blocks, scale = int(meta["blocks"]), scale or int(meta["scale"])
        self.head = nn.Sequential(make_conv(ts, "head.conv"), make_prelu(ts, "head.prelu"))
        self.levels = nn.ModuleList()
        for l in range(int(math.log2(scale))):
            level = nn.Module()
            level.body = nn.ModuleList(
                nn.Sequential(make_conv(ts, f"levels.{l}.body.{i}.conv1"), make_prelu(ts, f"levels.{l}.body.{i}.prelu"),
                              make_conv(ts, f"levels.{l}.body.{i}.conv2")) for i in range(blocks))
            level.up = nn.Sequential(make_deconv(ts, f"levels.{l}.up"), make_prelu(ts, f"levels.{l}.up_prelu"))
            level.image_up = make_deconv(ts, f"levels.{l}.image_up")
            level.residual = make_conv(ts, f"levels.{l}.residual")
            self.levels.append(level)

    def forward(self, x):
        f = self.head(x)
        img = x
        for level in self.levels:
            g = f
            for block in level.body:
                g = g + block(g)
            f = level.up(g)
            img = level.image_up(img) + level.residual(f)
        return img


def weights_path(models_dir, arch, scale, kind):
    """The file binsr runs for this scale: its own, else (LapSRN) the x4 file (ModelFiles.locate in Swift)."""
    path = os.path.join(models_dir, f"{arch}_x{scale}_{kind}.safetensors")
    if not os.path.exists(path) and arch == "lapsrn":
        path = os.path.join(models_dir, f"{arch}_x{2 * scale}_{kind}.safetensors")
    return path


def load_model(path, scale=None):
    with safe_open(path, "np") as handle:
        meta = handle.metadata()
    ts = load_file(path)
    model = SRResNet(ts, meta) if meta["arch"] == "srresnet" else LapSRN(ts, meta, scale)
    return model.eval().to(memory_format=torch.channels_last)


def binsr_bench(binsr, models_dir, arch, scale, size, runs, warmup, cases):
    """One `binsr bench --json` run: {"binsr KIND PRECISION": [ms, ...]} for every case "KIND:PRECISION"."""
    command = [binsr, "bench", "--json", "--models-dir", models_dir, "--arch", arch, "--scale", str(scale),
               "--size", str(size), "--runs", str(runs), "--warmup", str(warmup), "--cases", ",".join(cases)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    return {f"binsr {row['weights']} {row['precision']}": row["times_ms"] for row in rows}


def time_torch(model, x, runs, warmup, bf16):
    times = []
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for i in range(warmup + runs):
            start = time.perf_counter()
            model(x)
            if i >= warmup:
                times.append((time.perf_counter() - start) * 1e3)
    return times


def time_openvino(compiled, x, runs, warmup):
    times = []
    request = compiled.create_infer_request()
    for i in range(warmup + runs):
        start = time.perf_counter()
        request.infer({0: x})
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1e3)
    return times


def openvino_models(models, x, threads):
    """OpenVINO compiled models per (kind, precision hint), or {} when OpenVINO is not installed."""
    try:
        import openvino as ov
    except ImportError:
        print("openvino not installed: .venv/bin/pip install -r benchmarks/requirements.txt (skipping it)")
        return {}
    core = ov.Core()
    compiled = {}
    for kind, model in models.items():
        converted = ov.convert_model(model.to(memory_format=torch.contiguous_format), example_input=x)
        for hint in ("f32", "bf16"):
            config = {"INFERENCE_PRECISION_HINT": hint, "INFERENCE_NUM_THREADS": threads,
                      "PERFORMANCE_HINT": "LATENCY"}
            compiled[(kind, hint)] = core.compile_model(converted, "CPU", config)
        model.to(memory_format=torch.channels_last)
    print(f"openvino {ov.__version__}")
    return compiled


def cpu_summary():
    info = open("/proc/cpuinfo").read()
    name = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("model name")), "?")
    flags = set(next((l.split(":", 1)[1].split() for l in info.splitlines() if l.startswith("flags")), []))
    mark = lambda label, flag: f"{label} {'yes' if flag in flags else 'no'}"
    return (f"{name} ({mark('AMX', 'amx_tile')}, {mark('AVX512-BF16', 'avx512_bf16')}, "
            f"{mark('VNNI', 'avx512_vnni')}, {os.cpu_count()} cores)")


def gated_modes(models_dir, arch, scale, kind):
    """binsr modes `auto` may use for this file: fp32 and every mode within 0.02 dB in its gate file."""
    gate_path = weights_path(models_dir, arch, scale, kind).removesuffix(".safetensors") + ".gate.json"
    if not os.path.exists(gate_path):
        return {"fp32"}
    gate = json.load(open(gate_path))
    keys = set(gate["fp32"])
    return {"fp32"} | {mode for mode, changes in gate["changes"].items()
                       if keys <= set(changes) and all(abs(changes[k]) <= 0.02 for k in keys)}


def uptime():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models-dir", default=os.path.join(ROOT, "models"))
    ap.add_argument("--binsr", default=os.path.join(ROOT, ".build", "release", "binsr"))
    ap.add_argument("--arch", default="srresnet")
    ap.add_argument("--scale", type=int, default=4)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--no-openvino", action="store_true", help="skip OpenVINO even when installed")
    ap.add_argument("--json", help="also write the medians and ratios to this file")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"CPU: {cpu_summary()}")
    print(f"torch {torch.__version__}, {args.threads} threads, load before: {uptime()}")
    models = {kind: load_model(weights_path(args.models_dir, args.arch, args.scale, kind), args.scale)
              for kind in ("real", "binary")}
    x = torch.rand(1, 3, args.size, args.size, generator=torch.Generator().manual_seed(1))
    x = x.contiguous(memory_format=torch.channels_last)
    vino = openvino_models(models, x.contiguous(), args.threads) if not args.no_openvino else {}
    samples = {}
    for _ in range(args.rounds):
        for key, times in binsr_bench(args.binsr, args.models_dir, args.arch, args.scale, args.size, args.runs,
                                      args.warmup, BINSR_CASES).items():
            samples.setdefault(key, []).extend(times)
        for kind, model in models.items():
            for bf16 in (False, True):
                key = f"torch {kind} {'bf16' if bf16 else 'fp32'}"
                samples.setdefault(key, []).extend(time_torch(model, x, args.runs, args.warmup, bf16))
        for (kind, hint), compiled in vino.items():
            samples.setdefault(f"openvino {kind} {hint}", []).extend(
                time_openvino(compiled, x.contiguous().numpy(), args.runs, args.warmup))
    med = {k: statistics.median(v) for k, v in samples.items()}
    print(f"load after: {uptime()}")
    print(f"\n{args.arch} x{args.scale}, input {args.size}x{args.size}, medians over {args.rounds} rounds x {args.runs} runs")
    for k in sorted(med):
        print(f"  {k:24s} {med[k]:9.1f} ms  (n={len(samples[k])})")
    best = {}
    for kind in ("real", "binary"):
        allowed = gated_modes(args.models_dir, args.arch, args.scale, kind)
        best[kind] = min((k for k in med if k.startswith(f"binsr {kind} ") and k.split()[-1] in allowed), key=med.get)
    print(f"\nratios (lower is better; targets in brackets); fastest gated modes: {best['real']}, {best['binary']}")
    target = "<= 0.85" if args.scale == 4 else "<= 0.70"
    report = {
        "binary best / real best": (med[best["binary"]] / med[best["real"]], target),
        "binary best / torch real fp32": (med[best["binary"]] / med["torch real fp32"], "<= 0.45"),
        "binsr real fp32 / torch real fp32": (med["binsr real fp32"] / med["torch real fp32"], "<= 0.54"),
    }
    if "openvino real f32" in med:
        report["binary best / openvino real f32"] = (med[best["binary"]] / med["openvino real f32"], "<= 0.45")
        report["real best / openvino real bf16"] = (med[best["real"]] / med["openvino real bf16"], "")
    report["real best / torch real bf16"] = (med[best["real"]] / med["torch real bf16"], "")
    for name, (value, goal) in report.items():
        print(f"  {name:36s} = {value:.2f}  {f'[{goal}]' if goal else ''}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"cpu": cpu_summary(), "arch": args.arch, "scale": args.scale, "size": args.size,
                       "medians_ms": med, "best": best,
                       "ratios": {k: v for k, (v, _) in report.items()}}, handle, indent=1)


if __name__ == "__main__":
    main()
