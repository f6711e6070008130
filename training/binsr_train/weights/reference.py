"""A direct reader of the binsr weight format: runs docs/weights-format.md's pseudo-code on the exported tensors.

Independent of the training modules (it never builds an nn.Module), so comparing its output with the unfolded
PyTorch model checks BN folding, bit packing and layer naming together.
"""

from __future__ import annotations

import json
import math

import numpy as np
import torch
from torch.nn import functional as F

from binsr_train.weights.export import unpack_signs


class FormatReader:
    """Forward pass over a {name: array} dict and its metadata, in float64."""

    def __init__(self, tensors: dict[str, np.ndarray], metadata: dict[str, str]):
        if metadata.get("format") != "binsr-weights" or metadata.get("format_version") != "1":
            raise ValueError(f"not a binsr-weights v1 file: {metadata.get('format')} {metadata.get('format_version')}")
        self.t = tensors
        self.meta = metadata
        self.binary_layers = set(json.loads(metadata["binary_layers"]))
        self.used: set[str] = set()

    def _get(self, key: str) -> torch.Tensor:
        self.used.add(key)
        return torch.from_numpy(np.asarray(self.t[key])).double()

    def conv(self, name: str, x: torch.Tensor) -> torch.Tensor:
        if name in self.binary_layers:
            self.used.add(f"{name}.shape")
            shape = tuple(int(v) for v in self.t[f"{name}.shape"])
            self.used.add(f"{name}.weight_bits")
            signs = torch.from_numpy(unpack_signs(self.t[f"{name}.weight_bits"], shape)).double()
            y = F.conv2d(x, signs, padding=shape[2] // 2)
            return y * self._get(f"{name}.alpha").view(1, -1, 1, 1) + self._get(f"{name}.bias").view(1, -1, 1, 1)
        weight = self._get(f"{name}.weight")
        return F.conv2d(x, weight, self._get(f"{name}.bias"), padding=weight.shape[2] // 2)

    def deconv(self, name: str, x: torch.Tensor) -> torch.Tensor:
        return F.conv_transpose2d(x, self._get(f"{name}.weight"), self._get(f"{name}.bias"), stride=2, padding=1)

    def prelu(self, name: str, x: torch.Tensor) -> torch.Tensor:
        return F.prelu(x, self._get(f"{name}.weight"))

    def block(self, prefix: str, f: torch.Tensor) -> torch.Tensor:
        return f + self.conv(f"{prefix}.conv2", self.prelu(f"{prefix}.prelu", self.conv(f"{prefix}.conv1", f)))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """x: [N,3,H,W]; returns the outputs (one for SRResNet; every level for LapSRN)."""
        x = x.double()
        scale, blocks = int(self.meta["scale"]), int(self.meta["blocks"])
        levels = int(math.log2(scale))
        if self.meta["arch"] == "srresnet":
            f0 = self.prelu("head.prelu", self.conv("head.conv", x))
            f = f0
            for i in range(blocks):
                f = self.block(f"body.{i}", f)
            f = self.conv("body_tail.conv", f) + f0
            for j in range(levels):
                f = self.prelu(f"upsample.{j}.prelu", F.pixel_shuffle(self.conv(f"upsample.{j}.conv", f), 2))
            outputs = [self.conv("tail.conv", f)]
        elif self.meta["arch"] == "lapsrn":
            f = self.prelu("head.prelu", self.conv("head.conv", x))
            image, outputs = x, []
            for l in range(levels):
                g = f
                for i in range(blocks):
                    g = self.block(f"levels.{l}.body.{i}", g)
                f = self.prelu(f"levels.{l}.up_prelu", self.deconv(f"levels.{l}.up", g))
                image = self.deconv(f"levels.{l}.image_up", image) + self.conv(f"levels.{l}.residual", f)
                outputs.append(image)
        else:
            raise ValueError(f"unknown arch {self.meta['arch']!r}")
        unused = sorted(set(self.t) - self.used)
        if unused:
            raise ValueError(f"tensors not used by the graph: {unused}")
        return outputs
