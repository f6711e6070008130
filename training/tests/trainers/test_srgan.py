"""SRGAN: both networks learn; the VGG term exists only when VGG weights are given."""

from __future__ import annotations

import pathlib

import torch
from safetensors.torch import save_file

from binsr_train.archs.srresnet_arch import SRResNet
from binsr_train.trainers.srgan import VGG19_LAYERS, GANWeights, SRGANTrainer, VGGFeatures


def _vgg_file(path: pathlib.Path) -> pathlib.Path:
    torch.manual_seed(0)
    state, index, in_ch = {}, 0, 3
    for item in VGG19_LAYERS:
        if item == "M":
            index += 1
            continue
        state[f"features.{index}.weight"] = torch.randn(item, in_ch, 3, 3) * 0.05
        state[f"features.{index}.bias"] = torch.zeros(item)
        index, in_ch = index + 2, item
    save_file(state, str(path))
    return path


def test_srgan_step_updates_generator_and_discriminator() -> None:
    torch.manual_seed(0)
    generator = SRResNet(4, 1, 8)
    trainer = SRGANTrainer(generator, patch=16, lr=1e-3, discriminator_channels=4)
    g_before = generator.tail.conv.weight.detach().clone()
    d_before = trainer.discriminator.features[0].weight.detach().clone()
    lr_images, hr_images = torch.rand(2, 3, 4, 4), torch.rand(2, 3, 16, 16)
    losses = trainer.step(lr_images, hr_images)
    assert set(losses) == {"d", "pixel", "adversarial", "g"}
    assert abs(losses["g"] - (losses["pixel"] + 1e-3 * losses["adversarial"])) < 1e-6
    assert not torch.equal(generator.tail.conv.weight, g_before)
    assert not torch.equal(trainer.discriminator.features[0].weight, d_before)


def test_discriminator_learns_to_separate_real_from_generated() -> None:
    torch.manual_seed(1)
    trainer = SRGANTrainer(SRResNet(4, 1, 8), patch=16, lr=1e-3, discriminator_channels=4)
    trainer.g_opt.param_groups[0]["lr"] = 0.0  # freeze G so that D faces a fixed task
    lr_images, hr_images = torch.rand(4, 3, 4, 4), torch.rand(4, 3, 16, 16)
    first = trainer.step(lr_images, hr_images)["d"]
    for _ in range(15):
        last = trainer.step(lr_images, hr_images)["d"]
    assert last < first * 0.5


def test_vgg_loss_only_with_user_weights(tmp_path: pathlib.Path) -> None:
    weights = _vgg_file(tmp_path / "vgg19.safetensors")
    trainer = SRGANTrainer(SRResNet(4, 1, 8), patch=16, weights=GANWeights(vgg=1.0), vgg_weights=weights,
                           discriminator_channels=4)
    losses = trainer.step(torch.rand(2, 3, 4, 4), torch.rand(2, 3, 16, 16))
    assert "vgg" in losses and losses["vgg"] > 0
    assert abs(losses["g"] - (losses["pixel"] + 1e-3 * losses["adversarial"] + losses["vgg"])) < 1e-5
    assert isinstance(trainer.vgg, VGGFeatures) and not any(p.requires_grad for p in trainer.vgg.parameters())


def test_srgan_fine_tune_exports_the_generator(tiny_train_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    from binsr_train.config import ModelConfig, TrainConfig
    from binsr_train.trainers.srgan import train_srgan

    config = TrainConfig(name="gan", model=ModelConfig("srresnet", 4, 1, 8, "blocks"), patch=16, batch=2,
                         folders=("Synthetic",), train_root=str(tiny_train_root), runs_dir=str(tmp_path / "runs"),
                         models_dir=str(tmp_path / "models"), threads=1, monitor=False, lr=1e-3)
    trainer = train_srgan(config, seconds=0.5, log=lambda m: None)
    assert trainer.progress.iterations >= 1
    assert (tmp_path / "models" / "gan.safetensors").exists()
    assert "SRGAN fine-tune" in (tmp_path / "models" / "gan.md").read_text()
