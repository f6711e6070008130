"""LapSRN (Lai et al., CVPR 2017) on RGB, with residual blocks in the feature branch (binarized in the binary variant).

Module names map one to one onto docs/weights-format.md (`head.conv`, `levels.{l}.body.{i}.conv1`, `levels.{l}.up`,
`levels.{l}.up_prelu`, `levels.{l}.image_up`, `levels.{l}.residual`). The activations are PReLU with one slope,
initialised to 0.2 (LapSRN's LeakyReLU slope) and learned.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from binsr_train.archs.blocks import check_arch_args, ConvPReLU, ResidualBlock, make_conv

LEAKY_SLOPE = 0.2


def bilinear_upsample_kernel(size: int = 4) -> torch.Tensor:
    """The size x size bilinear kernel for a stride-2 transposed conv (FCN / LapSRN initialisation)."""
    factor = (size + 1) // 2
    center = factor - 1 if size % 2 == 1 else factor - 0.5
    ramp = 1.0 - torch.abs(torch.arange(size, dtype=torch.float32) - center) / factor
    return ramp[:, None] * ramp[None, :]


class Level(nn.Module):
    """One x2 pyramid level: feature branch (residual blocks, transposed conv, residual image) and image branch.

    Args:
        channels: feature channels C.
        blocks: residual blocks in this level's feature branch.
        block_binary: whether the residual-block convs are binary.
        outer_binary: whether the residual-image conv is binary too (`binarize = all`).
        alpha_mode: "learnable" or "deterministic".
    """

    def __init__(self, channels: int, blocks: int, block_binary: bool, outer_binary: bool, alpha_mode: str):
        super().__init__()
        self.body = nn.Sequential(
            *[ResidualBlock(channels, block_binary, alpha_mode, prelu_init=LEAKY_SLOPE) for _ in range(blocks)])
        self.up = nn.ConvTranspose2d(channels, channels, 4, stride=2, padding=1)
        self.up_prelu = nn.PReLU(1, init=LEAKY_SLOPE)
        self.image_up = nn.ConvTranspose2d(3, 3, 4, stride=2, padding=1)
        self.residual = make_conv(channels, 3, 3, outer_binary, alpha_mode)
        with torch.no_grad():
            self.image_up.weight.zero_()
            for c in range(3):
                self.image_up.weight[c, c] = bilinear_upsample_kernel(4)
            self.image_up.bias.zero_()

    def forward(self, features: torch.Tensor, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.up_prelu(self.up(self.body(features)))
        image = self.image_up(image) + self.residual(features)
        return features, image


class LapSRN(nn.Module):
    """Progressive x2 Laplacian pyramid network; `forward` returns the outputs of every level, coarse to fine.

    Args:
        scale: 2 or 4 (one level per factor 2); the x4 model also yields its x2 output.
        blocks: residual blocks per level.
        channels: feature channels.
        binarize: "none", "blocks" (residual-block convs binary) or "all" (every Conv2d binary; the transposed
            convs stay real).
        alpha_mode: "learnable" or "deterministic" alpha for binary convs.
    """

    def __init__(self, scale: int, blocks: int, channels: int = 64, binarize: str = "none",
                 alpha_mode: str = "learnable"):
        super().__init__()
        check_arch_args(scale, blocks, channels, binarize)
        self.scale = scale
        outer_binary = binarize == "all"
        self.head = ConvPReLU(3, channels, 3, 1, LEAKY_SLOPE, outer_binary, alpha_mode)
        self.levels = nn.ModuleList([
            Level(channels, blocks, binarize != "none", outer_binary, alpha_mode)
            for _ in range(int(math.log2(scale)))])

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        features = self.head(x)
        image = x
        outputs = []
        for level in self.levels:
            features, image = level(features, image)
            outputs.append(image)
        return outputs
