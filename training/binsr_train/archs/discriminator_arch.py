"""SRGAN discriminator (Ledig et al., CVPR 2017, Fig. 4): 8 conv layers, 64 -> 512 channels, two dense layers."""

from __future__ import annotations

import torch
from torch import nn


class Discriminator(nn.Module):
    """Classifies HR patches as real or generated; returns one logit per image.

    Args:
        patch: HR patch size the discriminator sees (must be divisible by 16).
        channels: channels of the first conv (64 in the paper), doubled every second layer.
    """

    def __init__(self, patch: int = 96, channels: int = 64):
        super().__init__()
        if patch % 16 != 0 or patch <= 0:
            raise ValueError(f"patch must be a positive multiple of 16, got {patch}")
        layers: list[nn.Module] = [nn.Conv2d(3, channels, 3, 1, 1), nn.LeakyReLU(0.2)]
        in_ch = channels
        for i, (out_ch, stride) in enumerate([(channels, 2), (2 * channels, 1), (2 * channels, 2),
                                              (4 * channels, 1), (4 * channels, 2), (8 * channels, 1),
                                              (8 * channels, 2)]):
            layers += [nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False), nn.BatchNorm2d(out_ch), nn.LeakyReLU(0.2)]
            in_ch = out_ch
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(in_ch * (patch // 16) ** 2, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x)).squeeze(1)
