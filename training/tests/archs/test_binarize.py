"""Binary convolution (Ma et al. 2019): sign, straight-through gradient, alpha."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from binsr_train.archs.binarize import BinaryConv2d, binary_sign


def test_sign_of_zero_is_plus_one() -> None:
    w = torch.tensor([-2.0, -0.0, 0.0, 1e-30, -1e-30, 3.0])
    assert binary_sign(w).tolist() == [-1.0, 1.0, 1.0, 1.0, -1.0, 1.0]


def test_ste_gradient_passes_inside_unit_interval_and_is_zero_outside() -> None:
    w = torch.tensor([-1.5, -1.0, -0.3, 0.0, 0.7, 1.0, 1.0001, 4.0], requires_grad=True)
    upstream = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    (binary_sign(w) * upstream).sum().backward()
    assert w.grad.tolist() == [0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.0, 0.0]


def test_learnable_alpha_is_initialised_to_mean_abs_weight_per_output_channel() -> None:
    conv = BinaryConv2d(2, 3, 3, alpha_mode="learnable")
    with torch.no_grad():
        conv.weight.copy_(torch.arange(54, dtype=torch.float32).view(3, 2, 3, 3) / 100 - 0.2)
        conv.reset_alpha()
    expected = [sum(abs(v / 100 - 0.2) for v in range(o * 18, o * 18 + 18)) / 18 for o in range(3)]
    assert torch.allclose(conv.alpha, torch.tensor(expected), atol=1e-6)
    assert isinstance(conv.alpha, torch.nn.Parameter)


def test_deterministic_alpha_is_recomputed_from_current_weights() -> None:
    conv = BinaryConv2d(1, 1, 1, alpha_mode="deterministic")
    assert conv.alpha is None
    with torch.no_grad():
        conv.weight.fill_(0.5)
    x = torch.ones(1, 1, 2, 2)
    assert torch.allclose(conv(x), torch.full((1, 1, 2, 2), 0.5))
    with torch.no_grad():
        conv.weight.fill_(-0.25)
    assert torch.allclose(conv(x), torch.full((1, 1, 2, 2), -0.25))


def test_forward_is_alpha_times_sign_convolution_and_gradients_reach_latent_weights_and_alpha() -> None:
    torch.manual_seed(0)
    conv = BinaryConv2d(3, 4, 3, alpha_mode="learnable")
    with torch.no_grad():
        conv.alpha.copy_(torch.tensor([0.5, 1.0, 2.0, 3.0]))
    x = torch.randn(2, 3, 5, 7)
    reference = F.conv2d(x, torch.where(conv.weight >= 0, 1.0, -1.0), padding=1) * conv.alpha.view(1, -1, 1, 1)
    y = conv(x)
    assert torch.allclose(y, reference, atol=1e-5)
    y.sum().backward()
    assert conv.weight.grad is not None and conv.weight.grad.abs().sum() > 0
    assert conv.alpha.grad is not None and conv.alpha.grad.abs().sum() > 0


def test_invalid_alpha_mode_is_rejected() -> None:
    try:
        BinaryConv2d(1, 1, 3, alpha_mode="mean")
    except ValueError as error:
        assert "alpha_mode" in str(error)
    else:
        raise AssertionError("expected ValueError")
