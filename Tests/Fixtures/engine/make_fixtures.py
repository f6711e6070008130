"""Tiny engine fixtures: weight files in the docs/weights-format.md layout plus PyTorch forward outputs.

Run: /work/venv/bin/python Tests/Fixtures/engine/make_fixtures.py   (writes next to this script)

The forward pass below is written from docs/weights-format.md with torch.nn.functional, independently of the Swift
engine, so the Swift tests compare against PyTorch rather than against themselves. The training branch's exporter
produces the authoritative golden vectors in Tests/Fixtures/golden/; these tiny ones cover odd shapes, per-channel
and shared PReLU slopes, negative alpha and both architectures while those do not exist yet.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


class Writer:
    """Collects tensors for one model and mirrors what the forward pass needs as torch tensors."""

    def __init__(self, rng):
        self.rng = rng
        self.tensors = {}
        self.binary_layers = []

    def conv(self, name, cin, cout, k, binary=False):
        bias = self.rng.normal(0, 0.05, cout).astype(np.float32)
        self.tensors[f"{name}.bias"] = bias
        if not binary:
            w = self.rng.normal(0, 1 / math.sqrt(cin * k * k), (cout, cin, k, k)).astype(np.float32)
            self.tensors[f"{name}.weight"] = w
            return
        signs = self.rng.random((cout, cin * k * k)) < 0.5
        nbytes = (cin * k * k + 7) // 8
        bits = np.zeros((cout, nbytes), dtype=np.uint8)
        for j in range(cin * k * k):
            bits[:, j // 8] |= (signs[:, j].astype(np.uint8) << (j % 8))
        alpha = (self.rng.uniform(0.2, 1.0, cout) / math.sqrt(cin * k * k)).astype(np.float32)
        alpha[0] = -alpha[0]  # folded BN can flip the sign
        self.tensors[f"{name}.weight_bits"] = bits
        self.tensors[f"{name}.alpha"] = alpha
        self.tensors[f"{name}.shape"] = np.array([cout, cin, k, k], dtype=np.int64)
        self.binary_layers.append(name)

    def deconv(self, name, cin, cout):
        self.tensors[f"{name}.weight"] = self.rng.normal(0, 0.5 / math.sqrt(cin * 4), (cin, cout, 4, 4)).astype(np.float32)
        self.tensors[f"{name}.bias"] = self.rng.normal(0, 0.05, cout).astype(np.float32)

    def prelu(self, name, n):
        self.tensors[f"{name}.weight"] = self.rng.uniform(0.05, 0.4, n).astype(np.float32)


def t(x):
    return torch.from_numpy(np.ascontiguousarray(x))


def conv(ts, name, x):
    """Real or binary conv by which tensors exist; binary signs unpacked with numpy, LSB first."""
    if f"{name}.weight" in ts:
        w = t(ts[f"{name}.weight"]).double()
        return F.conv2d(x, w, t(ts[f"{name}.bias"]).double(), padding=w.shape[-1] // 2)
    cout, cin, k, _ = ts[f"{name}.shape"].tolist()
    bits = np.unpackbits(ts[f"{name}.weight_bits"], axis=1, bitorder="little")[:, : cin * k * k]
    s = t((bits.astype(np.float64) * 2 - 1).reshape(cout, cin, k, k))
    y = F.conv2d(x, s, None, padding=k // 2)
    return y * t(ts[f"{name}.alpha"]).double().view(1, -1, 1, 1) + t(ts[f"{name}.bias"]).double().view(1, -1, 1, 1)


def prelu(ts, name, x):
    return F.prelu(x, t(ts[f"{name}.weight"]).double())


def deconv(ts, name, x):
    return F.conv_transpose2d(x, t(ts[f"{name}.weight"]).double(), t(ts[f"{name}.bias"]).double(), stride=2, padding=1)


def srresnet(ts, x, blocks, scale):
    f0 = prelu(ts, "head.prelu", conv(ts, "head.conv", x))
    f = f0
    for i in range(blocks):
        f = f + conv(ts, f"body.{i}.conv2", prelu(ts, f"body.{i}.prelu", conv(ts, f"body.{i}.conv1", f)))
    f = conv(ts, "body_tail.conv", f) + f0
    for j in range(int(math.log2(scale))):
        f = prelu(ts, f"upsample.{j}.prelu", F.pixel_shuffle(conv(ts, f"upsample.{j}.conv", f), 2))
    return {"output": conv(ts, "tail.conv", f)}


def lapsrn(ts, x, blocks, scale):
    f = prelu(ts, "head.prelu", conv(ts, "head.conv", x))
    img = x
    outs = []
    for l in range(int(math.log2(scale))):
        g = f
        for i in range(blocks):
            p = f"levels.{l}.body.{i}"
            g = g + conv(ts, f"{p}.conv2", prelu(ts, f"{p}.prelu", conv(ts, f"{p}.conv1", g)))
        f = prelu(ts, f"levels.{l}.up_prelu", deconv(ts, f"levels.{l}.up", g))
        img = deconv(ts, f"levels.{l}.image_up", img) + conv(ts, f"levels.{l}.residual", f)
        outs.append(img)
    result = {"output": outs[-1]}
    if len(outs) == 2:
        result["output_x2"] = outs[0]
    return result


def make(name, arch, scale, blocks, channels, binary, h, w, seed):
    rng = np.random.default_rng(seed)
    wr = Writer(rng)
    c = channels
    if arch == "srresnet":
        wr.conv("head.conv", 3, c, 9)
        wr.prelu("head.prelu", c)
        for i in range(blocks):
            wr.conv(f"body.{i}.conv1", c, c, 3, binary)
            wr.prelu(f"body.{i}.prelu", c if i % 2 == 0 else 1)
            wr.conv(f"body.{i}.conv2", c, c, 3, binary)
        wr.conv("body_tail.conv", c, c, 3)
        for j in range(int(math.log2(scale))):
            wr.conv(f"upsample.{j}.conv", c, 4 * c, 3)
            wr.prelu(f"upsample.{j}.prelu", 1)
        wr.conv("tail.conv", c, 3, 9)
    else:
        wr.conv("head.conv", 3, c, 3)
        wr.prelu("head.prelu", 1)
        for l in range(int(math.log2(scale))):
            for i in range(blocks):
                p = f"levels.{l}.body.{i}"
                wr.conv(f"{p}.conv1", c, c, 3, binary)
                wr.prelu(f"{p}.prelu", 1 if i % 2 == 0 else c)
                wr.conv(f"{p}.conv2", c, c, 3, binary)
            wr.deconv(f"levels.{l}.up", c, c)
            wr.prelu(f"levels.{l}.up_prelu", 1)
            wr.deconv(f"levels.{l}.image_up", 3, 3)
            wr.conv(f"levels.{l}.residual", c, 3, 3)
    meta = {
        "format": "binsr-weights", "format_version": "1", "arch": arch, "scale": str(scale),
        "blocks": str(blocks), "channels": str(channels), "binary": "true" if binary else "false",
        "binary_layers": json.dumps(wr.binary_layers), "alpha_mode": "learnable" if binary else "none",
        "input_range": "0-1", "train_data": "random (engine fixture)",
    }
    save_file(wr.tensors, os.path.join(HERE, f"{name}.safetensors"), metadata=meta)
    x = torch.from_numpy(rng.random((1, 3, h, w))).double()
    forward = srresnet if arch == "srresnet" else lapsrn
    with torch.no_grad():
        outs = forward(wr.tensors, x, blocks, scale)
    io = {"input": x[0].float().numpy()}
    io.update({k: v[0].float().numpy() for k, v in outs.items()})
    save_file(io, os.path.join(HERE, f"{name}.io.safetensors"))


if __name__ == "__main__":
    make("tiny_srresnet_x2_binary", "srresnet", 2, 2, 8, True, 11, 13, 1)
    make("tiny_srresnet_x4_real", "srresnet", 4, 2, 8, False, 9, 7, 2)
    make("tiny_lapsrn_x4_binary", "lapsrn", 4, 2, 8, True, 10, 9, 3)
    make("tiny_lapsrn_x2_real", "lapsrn", 2, 1, 8, False, 7, 12, 4)
