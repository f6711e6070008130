"""Pixel losses: L1 (SRResNet), Charbonnier (LapSRN, Lai et al. 2017 Eq. 2, eps = 1e-3) and L2 (the mean squared
error PSNR measures, for a final fine-tune after L1 as in EDSR/RCAN-style recipes)."""

from __future__ import annotations

import torch

CHARBONNIER_EPS = 1e-3


def l1_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return (output - target).abs().mean()


def l2_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return ((output - target) ** 2).mean()


def charbonnier_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return torch.sqrt((output - target) ** 2 + CHARBONNIER_EPS ** 2).mean()


def pixel_loss(kind: str, outputs: list[torch.Tensor], targets: list[torch.Tensor]) -> torch.Tensor:
    """The loss summed over pyramid levels (a single level for SRResNet)."""
    if len(outputs) != len(targets):
        raise ValueError(f"{len(outputs)} outputs but {len(targets)} targets")
    function = {"l1": l1_loss, "charbonnier": charbonnier_loss, "l2": l2_loss}[kind]
    return sum(function(o.float(), t) for o, t in zip(outputs, targets))
