"""Binary convolution of Ma et al., "Efficient Super Resolution Using Binarized Neural Network" (CVPR-W 2019).

Forward: W_b = alpha[o] * sign(W) with sign(0) = +1, alpha per output channel. Backward: straight-through estimator,
dL/dW = dL/dsign(W) * 1{|W| <= 1} (Courbariaux et al. 2016 / Hubara et al.), so the real latent weights W keep being
updated. alpha is either a learnable parameter initialised to mean|W| per output channel (the paper's Eq. 4) or
recomputed as mean|W| at every forward pass (deterministic, XNOR-Net, Rastegari et al. 2016).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

ALPHA_MODES = ("learnable", "deterministic")


class SignSTE(torch.autograd.Function):
    """sign(x) with sign(0) = +1; gradient passed straight through where |x| <= 1, zero elsewhere."""

    @staticmethod
    def forward(ctx, weight: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(weight)
        return torch.where(weight >= 0, torch.ones_like(weight), -torch.ones_like(weight))

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        (weight,) = ctx.saved_tensors
        return grad_output * (weight.abs() <= 1).to(grad_output.dtype)


def binary_sign(weight: torch.Tensor) -> torch.Tensor:
    """The binarization sign used in training and export: +1 where weight >= 0, else -1."""
    return SignSTE.apply(weight)


class BinaryConv2d(nn.Conv2d):
    """A stride-1, zero-padded k x k convolution whose weights are binarized in the forward pass.

    Args:
        in_channels: input feature channels.
        out_channels: output feature channels (one alpha each).
        kernel_size: square kernel size k (padding k // 2 keeps the spatial size).
        alpha_mode: "learnable" (nn.Parameter, init mean|W|) or "deterministic" (mean|W| recomputed each step).
        bias: whether the convolution has a bias (False when a BatchNorm follows).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, alpha_mode: str, bias: bool = False):
        if alpha_mode not in ALPHA_MODES:
            raise ValueError(f"alpha_mode must be one of {ALPHA_MODES}, got {alpha_mode!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride=1, padding=kernel_size // 2, bias=bias)
        self.alpha_mode = alpha_mode
        if alpha_mode == "learnable":
            self.alpha = nn.Parameter(torch.empty(out_channels))
            self.reset_alpha()
        else:
            self.register_parameter("alpha", None)

    def weight_alpha(self) -> torch.Tensor:
        """Mean |W| per output channel (the paper's Eq. 4 initialisation; the deterministic mode's value)."""
        return self.weight.detach().abs().mean(dim=(1, 2, 3))

    @torch.no_grad()
    def reset_alpha(self) -> None:
        """Re-initialise a learnable alpha from the current real weights (e.g. after loading a real model)."""
        if self.alpha is not None:
            self.alpha.copy_(self.weight_alpha())

    def effective_alpha(self) -> torch.Tensor:
        return self.alpha if self.alpha is not None else self.weight_alpha()

    def binary_weight(self) -> torch.Tensor:
        return binary_sign(self.weight) * self.effective_alpha().view(-1, 1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.binary_weight(), self.bias, self.stride, self.padding)
