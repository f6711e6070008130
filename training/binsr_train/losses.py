"""Pixel losses: L1 (SRResNet) and Charbonnier (LapSRN, Lai et al. 2017 Eq. 2, eps = 1e-3)."""

from __future__ import annotations

import torch

CHARBONNIER_EPS = 1e-3


def l1_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return (output - target).abs().mean()


def charbonnier_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return torch.sqrt((output - target) ** 2 + CHARBONNIER_EPS ** 2).mean()


def pixel_loss(kind: str, outputs: list[torch.Tensor], targets: list[torch.Tensor]) -> torch.Tensor:
    """The loss summed over pyramid levels (a single level for SRResNet)."""
    if len(outputs) != len(targets):
        raise ValueError(f"{len(outputs)} outputs but {len(targets)} targets")
    function = l1_loss if kind == "l1" else charbonnier_loss
    return sum(function(o.float(), t) for o, t in zip(outputs, targets))
