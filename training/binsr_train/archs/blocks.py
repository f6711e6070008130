"""Layers shared by the SRResNet and LapSRN architectures."""

from __future__ import annotations

import torch
from torch import nn

from binsr_train.archs.binarize import BinaryConv2d

# What `binarize` may say: "none" (real network), "blocks" (only convs inside residual blocks, Ma et al. Sec. 3),
# "all" (every convolution, the paper's Fig. 1 ablation).
BINARIZE_MODES = ("none", "blocks", "all")


def check_arch_args(scale: int, blocks: int, channels: int, binarize: str) -> None:
    """The argument checks every architecture shares: clear errors instead of a network of the wrong shape."""
    if scale not in (2, 4):
        raise ValueError(f"scale must be 2 or 4, got {scale}")
    if blocks < 1 or channels < 1:
        raise ValueError(f"blocks and channels must be positive, got {blocks}, {channels}")
    if binarize not in BINARIZE_MODES:
        raise ValueError(f"binarize must be one of {BINARIZE_MODES}, got {binarize!r}")


def make_conv(in_ch: int, out_ch: int, kernel: int, binary: bool, alpha_mode: str, bias: bool = True) -> nn.Conv2d:
    """A stride-1 'same' convolution, real or binary."""
    if binary:
        return BinaryConv2d(in_ch, out_ch, kernel, alpha_mode=alpha_mode, bias=bias)
    return nn.Conv2d(in_ch, out_ch, kernel, stride=1, padding=kernel // 2, bias=bias)


class ConvPReLU(nn.Module):
    """conv -> PReLU, exported as `NAME.conv` and `NAME.prelu`.

    Args:
        in_ch, out_ch, kernel: convolution shape.
        prelu_params: 1 (one shared slope) or out_ch (per channel).
        prelu_init: initial slope.
        binary, alpha_mode: see `make_conv`.
    """

    def __init__(self, in_ch: int, out_ch: int, kernel: int, prelu_params: int, prelu_init: float,
                 binary: bool, alpha_mode: str):
        super().__init__()
        self.conv = make_conv(in_ch, out_ch, kernel, binary, alpha_mode)
        self.prelu = nn.PReLU(prelu_params, init=prelu_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.prelu(self.conv(x))


class ConvBN(nn.Module):
    """conv -> BatchNorm (folded into the conv at export), exported as `NAME.conv`."""

    def __init__(self, channels: int, kernel: int, binary: bool, alpha_mode: str):
        super().__init__()
        self.conv = make_conv(channels, channels, kernel, binary, alpha_mode, bias=False)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


class ResidualBlock(nn.Module):
    """x + BN(conv2(PReLU(BN(conv1(x))))) (SRResNet, Ledig et al. 2017, Fig. 4); the binarized unit of Ma et al.

    Exported as `NAME.conv1`, `NAME.prelu`, `NAME.conv2` with `bn1`/`bn2` folded into the convolutions.

    Args:
        channels: feature channels C (3x3 convs C -> C).
        binary: whether conv1 and conv2 are BinaryConv2d.
        alpha_mode: "learnable" or "deterministic" (binary only).
        prelu_init: initial PReLU slope (one per channel).
    """

    def __init__(self, channels: int, binary: bool, alpha_mode: str, prelu_init: float = 0.25):
        super().__init__()
        self.conv1 = make_conv(channels, channels, 3, binary, alpha_mode, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.prelu = nn.PReLU(channels, init=prelu_init)
        self.conv2 = make_conv(channels, channels, 3, binary, alpha_mode, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.bn2(self.conv2(self.prelu(self.bn1(self.conv1(x)))))
