"""SRGAN (Ledig et al., CVPR 2017): SRResNet generator (real or binary) against the SRGAN discriminator.

Generator loss = pixel L1 + adv_weight * BCE(D(G(x)), real) + vgg_weight * MSE on VGG19 relu5_4 features. The VGG
term is used only when the user supplies VGG19 weights (a torchvision-layout `features.N.weight/bias` state dict in
a .safetensors file); nothing is downloaded.
"""

from __future__ import annotations

import pathlib
import typing
from dataclasses import dataclass

import torch
from safetensors.torch import load_file
from torch import nn
from torch.nn import functional as F

from binsr_train.archs.discriminator_arch import Discriminator
from binsr_train.losses.pixel import l1_loss

if typing.TYPE_CHECKING:
    from binsr_train.config import TrainConfig

# VGG19 'E' configuration up to relu5_4 (Simonyan & Zisserman 2015); "M" is a 2x2 max-pool.
VGG19_LAYERS = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class VGGFeatures(nn.Module):
    """VGG19 convolutional features up to relu5_4, loaded strictly from user-supplied weights, frozen."""

    def __init__(self, weights: pathlib.Path):
        super().__init__()
        layers: list[nn.Module] = []
        in_ch = 3
        for item in VGG19_LAYERS:
            if item == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(in_ch, item, 3, padding=1), nn.ReLU(inplace=False)]
                in_ch = item
        self.features = nn.Sequential(*layers)
        state = {k: v for k, v in load_file(str(weights)).items() if k.startswith("features.")}
        self.load_state_dict(state, strict=True)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.requires_grad_(False)
        self.eval()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features((x - self.mean) / self.std)


@dataclass(frozen=True)
class GANWeights:
    """Loss weights. Args: adversarial: weight of the generator's adversarial term (1e-3 in SRGAN);
    vgg: weight of the VGG feature loss (used only with VGG weights)."""

    adversarial: float = 1e-3
    vgg: float = 6e-3


class SRGANTrainer:
    """Alternating discriminator / generator updates on (LR, HR) batches.

    Args:
        generator: an SRResNet (typically started from a pixel-loss model).
        patch: HR patch size seen by the discriminator.
        lr: Adam learning rate of both networks.
        weights: loss weights.
        vgg_weights: optional VGG19 weights file; without it there is no perceptual term.
    """

    def __init__(self, generator: nn.Module, patch: int, lr: float = 1e-4, weights: GANWeights = GANWeights(),
                 vgg_weights: pathlib.Path | None = None, discriminator_channels: int = 64, bf16: bool = False):
        self.generator = generator
        self.bf16 = bf16  # bf16 autocast around the forward passes (the backward follows their types)
        self.discriminator = Discriminator(patch, discriminator_channels)
        self.weights = weights
        self.vgg = VGGFeatures(vgg_weights) if vgg_weights is not None else None
        self.g_opt = torch.optim.Adam(generator.parameters(), lr=lr, betas=(0.9, 0.999))
        self.d_opt = torch.optim.Adam(self.discriminator.parameters(), lr=lr, betas=(0.9, 0.999))

    def _autocast(self, x: torch.Tensor):
        return torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=self.bf16)

    def step(self, lr_images: torch.Tensor, hr_images: torch.Tensor) -> dict[str, float]:
        with self._autocast(lr_images):
            fake = self.generator(lr_images)
            real_logits = self.discriminator(hr_images)
            fake_logits = self.discriminator(fake.detach())
            d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
                      + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
        self.d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        self.d_opt.step()

        with self._autocast(lr_images):
            pixel = l1_loss(fake.float(), hr_images)
            logits = self.discriminator(fake)
            adversarial = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
            g_loss = pixel + self.weights.adversarial * adversarial
            losses = {"d": float(d_loss.detach()), "pixel": float(pixel.detach()),
                      "adversarial": float(adversarial.detach())}
            if self.vgg is not None:
                perceptual = F.mse_loss(self.vgg(fake), self.vgg(hr_images))
                g_loss = g_loss + self.weights.vgg * perceptual
                losses["vgg"] = float(perceptual.detach())
        self.g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        self.g_opt.step()
        losses["g"] = float(g_loss.detach())
        return losses


def train_srgan(config: "TrainConfig", seconds: float, weights: GANWeights = GANWeights(),
                vgg_weights: pathlib.Path | None = None, log=print):
    """Fine-tunes the config's generator (its models_dir train state, else init_from: a pixel-loss SRResNet) against
    a fresh discriminator for `seconds` (wall clock on a GPU, compute time on the CPU) at the config's constant LR,
    then exports it like any slice and notes the GAN losses in its model card. Returns the `Trainer`."""
    from binsr_train.trainers.trainer import Trainer

    trainer = Trainer(config, log=log)
    gan = SRGANTrainer(trainer.model, config.patch, lr=config.lr, weights=weights, vgg_weights=vgg_weights,
                       bf16=trainer.bf16)
    gan.discriminator.to(trainer.device)
    if gan.vgg is not None:
        gan.vgg.to(trainer.device)
    start, done, pixel = trainer._compute_clock(), 0, []
    while trainer._compute_clock() - start < seconds:
        x, targets = trainer._batch()
        losses = gan.step(x, targets[-1])
        pixel.append(losses["pixel"])
        done += 1
        trainer.progress.iterations += 1
        trainer.progress.samples += config.batch
        trainer.progress.pixels += config.batch * config.patch ** 2
        if done % 10 == 0:
            log(f"[{config.name} srgan] it {trainer.progress.iterations} " +
                " ".join(f"{k} {v:.4f}" for k, v in losses.items()))
    trainer.progress.seconds += trainer._compute_clock() - start
    trainer.progress.slices += 1
    trainer.progress.last_loss = sum(pixel[-50:]) / max(1, len(pixel[-50:]))
    trainer.finish_slice(always_export=True)
    note_srgan(pathlib.Path(config.models_dir) / f"{config.name}.md", done, config.lr, weights, vgg_weights is not None)
    return trainer


def note_srgan(card: pathlib.Path, steps: int, lr: float, weights: GANWeights = GANWeights(), vgg: bool = False) -> None:
    """Adds the GAN losses to a model card (write_model_card knows pixel losses only)."""
    if not card.exists():
        return
    term = f" + {weights.vgg:g} VGG19 relu5_4 MSE" if vgg else " (no VGG term: no VGG19 weights here)"
    card.write_text(card.read_text() + (
        f"- SRGAN fine-tune: {steps} steps of pixel L1 + {weights.adversarial:g} adversarial BCE{term} against a "
        f"fresh SRGAN discriminator (Ledig et al. Fig. 4), both Adam at a constant {lr:g}. A perceptual model: its "
        f"PSNR is expected below the pixel-loss model it started from.\n"))
