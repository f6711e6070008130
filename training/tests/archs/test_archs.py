"""Architectures: which convolutions are binary, names that map onto docs/weights-format.md, LapSRN init."""

from __future__ import annotations

import torch
from torch import nn

from binsr_train.archs.binarize import BinaryConv2d
from binsr_train.archs.discriminator_arch import Discriminator
from binsr_train.archs.lapsrn_arch import LapSRN
from binsr_train.archs.srresnet_arch import SRResNet
from binsr_train.weights.export import export_tensors


def binary_names(model: nn.Module) -> list[str]:
    return [name for name, m in model.named_modules() if isinstance(m, BinaryConv2d)]


def real_conv_names(model: nn.Module) -> list[str]:
    return [name for name, m in model.named_modules()
            if isinstance(m, nn.Conv2d) and not isinstance(m, BinaryConv2d)]


def test_srresnet_binarizes_only_residual_block_convolutions() -> None:
    model = SRResNet(4, 2, 8, binarize="blocks")
    assert binary_names(model) == ["body.0.conv1", "body.0.conv2", "body.1.conv1", "body.1.conv2"]
    assert real_conv_names(model) == ["head.conv", "body_tail.conv", "upsample.0.conv", "upsample.1.conv",
                                      "tail.conv"]
    assert binary_names(SRResNet(4, 2, 8)) == []


def test_binarize_all_makes_every_convolution_binary() -> None:
    assert real_conv_names(SRResNet(2, 1, 8, binarize="all")) == []
    lap = LapSRN(4, 1, 8, binarize="all")
    assert real_conv_names(lap) == []
    assert sorted(n for n, m in lap.named_modules() if isinstance(m, nn.ConvTranspose2d)) == [
        "levels.0.image_up", "levels.0.up", "levels.1.image_up", "levels.1.up"]


def test_lapsrn_binarizes_only_feature_branch_blocks() -> None:
    model = LapSRN(4, 1, 8, binarize="blocks")
    assert binary_names(model) == ["levels.0.body.0.conv1", "levels.0.body.0.conv2",
                                   "levels.1.body.0.conv1", "levels.1.body.0.conv2"]


def test_srresnet_export_names_match_the_format_document() -> None:
    tensors, binary = export_tensors(SRResNet(2, 1, 8, binarize="blocks").eval())
    expected = {"head.conv.weight", "head.conv.bias", "head.prelu.weight",
                "body.0.conv1.weight_bits", "body.0.conv1.alpha", "body.0.conv1.bias", "body.0.conv1.shape",
                "body.0.prelu.weight",
                "body.0.conv2.weight_bits", "body.0.conv2.alpha", "body.0.conv2.bias", "body.0.conv2.shape",
                "body_tail.conv.weight", "body_tail.conv.bias",
                "upsample.0.conv.weight", "upsample.0.conv.bias", "upsample.0.prelu.weight",
                "tail.conv.weight", "tail.conv.bias"}
    assert set(tensors) == expected
    assert binary == ["body.0.conv1", "body.0.conv2"]
    assert tensors["upsample.0.prelu.weight"].shape == (1,)
    assert tensors["head.conv.weight"].shape == (8, 3, 9, 9)
    assert tensors["tail.conv.weight"].shape == (3, 8, 9, 9)


def test_lapsrn_export_names_match_the_format_document() -> None:
    tensors, _ = export_tensors(LapSRN(2, 1, 8).eval())
    assert set(tensors) == {
        "head.conv.weight", "head.conv.bias", "head.prelu.weight",
        "levels.0.body.0.conv1.weight", "levels.0.body.0.conv1.bias", "levels.0.body.0.prelu.weight",
        "levels.0.body.0.conv2.weight", "levels.0.body.0.conv2.bias",
        "levels.0.up.weight", "levels.0.up.bias", "levels.0.up_prelu.weight",
        "levels.0.image_up.weight", "levels.0.image_up.bias", "levels.0.residual.weight", "levels.0.residual.bias"}
    assert tensors["levels.0.up.weight"].shape == (8, 8, 4, 4)
    assert float(tensors["levels.0.up_prelu.weight"][0]) == torch.tensor(0.2).item()


def test_srresnet_output_sizes() -> None:
    x = torch.rand(1, 3, 5, 7)
    assert SRResNet(4, 1, 8)(x).shape == (1, 3, 20, 28)
    assert SRResNet(2, 1, 8)(x).shape == (1, 3, 10, 14)


def test_lapsrn_image_branch_starts_as_bilinear_upsampling() -> None:
    model = LapSRN(4, 1, 8).eval()
    for level in model.levels:
        nn.init.zeros_(level.residual.weight)
        nn.init.zeros_(level.residual.bias)
    x = torch.full((1, 3, 6, 6), 0.4)
    x2, x4 = model(x)
    assert x2.shape == (1, 3, 12, 12) and x4.shape == (1, 3, 24, 24)
    # The 4x4 bilinear kernel sums to 4 per output phase when interior: a constant stays constant there.
    assert torch.allclose(x2[..., 1:-1, 1:-1], torch.full_like(x2[..., 1:-1, 1:-1], 0.4), atol=1e-6)
    kernel = model.levels[0].image_up.weight[0, 0]
    assert torch.allclose(kernel[1], torch.tensor([0.1875, 0.5625, 0.5625, 0.1875]))


def test_discriminator_gives_one_logit_per_image() -> None:
    assert Discriminator(32, 8)(torch.rand(2, 3, 32, 32)).shape == (2,)
