"""SRResNet (Ledig et al., CVPR 2017) with optionally binarized residual blocks (Ma et al., CVPR-W 2019).

Module names map one to one onto docs/weights-format.md (`head.conv`, `body.{i}.conv1`, `body_tail.conv`,
`upsample.{j}.conv`, `tail.conv`, ...); BatchNorm layers (`bn`, `bn1`, `bn2`) are folded at export.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from binsr_train.archs.blocks import check_arch_args, ConvBN, ConvPReLU, ResidualBlock, make_conv


class UpsampleStage(nn.Module):
    """conv C -> 4C, PixelShuffle(2), PReLU with one shared slope (`upsample.{j}`)."""

    def __init__(self, channels: int, binary: bool, alpha_mode: str):
        super().__init__()
        self.conv = make_conv(channels, 4 * channels, 3, binary, alpha_mode)
        self.shuffle = nn.PixelShuffle(2)
        self.prelu = nn.PReLU(1, init=0.25)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.prelu(self.shuffle(self.conv(x)))


class Tail(nn.Module):
    """The final 9x9 conv C -> 3 (`tail.conv`)."""

    def __init__(self, channels: int, binary: bool, alpha_mode: str):
        super().__init__()
        self.conv = make_conv(channels, 3, 9, binary, alpha_mode)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class SRResNet(nn.Module):
    """SRResNet mapping RGB in [0,1] (3 x H x W) to RGB (3 x sH x sW).

    Args:
        scale: upscaling factor, 2 or 4 (one pixel-shuffle x2 stage per factor 2).
        blocks: residual blocks in the body (the paper uses 16; 8 and 24 for the ablation).
        channels: feature channels (64 in the paper).
        binarize: "none", "blocks" (only residual-block convs binary, Ma et al.) or "all" (every conv binary).
        alpha_mode: "learnable" or "deterministic" alpha for binary convs (ignored when binarize is "none").
    """

    def __init__(self, scale: int, blocks: int, channels: int = 64, binarize: str = "none",
                 alpha_mode: str = "learnable"):
        super().__init__()
        check_arch_args(scale, blocks, channels, binarize)
        self.scale = scale
        outer_binary = binarize == "all"
        block_binary = binarize != "none"
        self.head = ConvPReLU(3, channels, 9, channels, 0.25, outer_binary, alpha_mode)
        self.body = nn.Sequential(*[ResidualBlock(channels, block_binary, alpha_mode) for _ in range(blocks)])
        self.body_tail = ConvBN(channels, 3, outer_binary, alpha_mode)
        self.upsample = nn.Sequential(
            *[UpsampleStage(channels, outer_binary, alpha_mode) for _ in range(int(math.log2(scale)))])
        self.tail = Tail(channels, outer_binary, alpha_mode)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f0 = self.head(x)
        f = self.body_tail(self.body(f0)) + f0
        return self.tail(self.upsample(f))
