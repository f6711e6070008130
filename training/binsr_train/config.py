"""Validated configurations: frozen dataclasses built from TOML files, unknown or mistyped keys are errors.

A training config file (configs/*.toml) has top-level training keys and a [model] table; its first line is the command
that runs it.
"""

from __future__ import annotations

import dataclasses
import pathlib
import tomllib
import types
import typing
from dataclasses import dataclass

from torch import nn

from binsr_train.archs.binarize import ALPHA_MODES
from binsr_train.archs.blocks import BINARIZE_MODES
from binsr_train.archs.lapsrn_arch import LapSRN
from binsr_train.archs.srresnet_arch import SRResNet
from binsr_train.data.training_images import DEFAULT_FOLDERS, REPO_ROOT, TRAIN_ROOT, VALIDATION_STRIDE

ARCHS = ("srresnet", "lapsrn")
LOSSES = ("l1", "charbonnier", "l2")


class ConfigError(ValueError):
    """A configuration value or key is invalid."""


@dataclass(frozen=True)
class ModelConfig:
    """The network to build.

    Args:
        arch: "srresnet" or "lapsrn".
        scale: 2 or 4.
        blocks: residual blocks (SRResNet body; LapSRN per level).
        channels: feature channels.
        binarize: "none", "blocks" or "all".
        alpha_mode: "learnable" or "deterministic" (binary only).
    """

    arch: str
    scale: int
    blocks: int
    channels: int = 64
    binarize: str = "none"
    alpha_mode: str = "learnable"

    def __post_init__(self) -> None:
        _check(self.arch in ARCHS, f"arch must be one of {ARCHS}, got {self.arch!r}")
        _check(self.scale in (2, 4), f"scale must be 2 or 4, got {self.scale}")
        _check(1 <= self.blocks <= 64, f"blocks must be in 1...64, got {self.blocks}")
        _check(1 <= self.channels <= 512, f"channels must be in 1...512, got {self.channels}")
        _check(self.binarize in BINARIZE_MODES, f"binarize must be one of {BINARIZE_MODES}, got {self.binarize!r}")
        _check(self.alpha_mode in ALPHA_MODES, f"alpha_mode must be one of {ALPHA_MODES}, got {self.alpha_mode!r}")

    @property
    def binary(self) -> bool:
        return self.binarize != "none"

    def build(self) -> nn.Module:
        network = SRResNet if self.arch == "srresnet" else LapSRN
        return network(self.scale, self.blocks, self.channels, self.binarize, self.alpha_mode)


@dataclass(frozen=True)
class TrainConfig:
    """One model's training run.

    Args:
        name: model name; files are models/<name>.safetensors, .train.safetensors, .md and runs/<name>/.
        model: the network.
        patch: HR patch size (divisible by the scale).
        batch: patches per step (per process under DDP).
        lr: peak Adam learning rate of real parameters.
        binary_lr_factor: multiplies the LR of binary convs' latent weights (they need to cross zero to change).
        lr_min_ratio: the cosine schedule's floor, as a fraction of the peak.
        warmup_iters: linear warm-up steps at the start of a fresh run.
        loss: "l1" (SRResNet) or "charbonnier" (LapSRN, at every level).
        noise_sigma: std of Gaussian noise added to LR inputs, on the 0..255 scale (0 = off).
        iterations: steps for `train` (the campaign uses minutes instead).
        seed: RNG seed (each DDP rank adds its rank).
        folders: training folders under train_root.
        train_root: the training-data root.
        runs_dir: checkpoints, logs and the data cache (outside git).
        models_dir: where exported weights, train states and model cards go.
        init_from: a .train.safetensors file to start from (e.g. the real model for a binary one).
        init_skip: parameter-name prefixes of init_from not to load (e.g. "upsample.1." for x4 -> x2).
        threads: torch intra-op threads.
        channels_last: use the channels-last memory format (measured faster on this CPU).
        precision: "auto" (time bf16 autocast and fp32 steps at start, keep the faster: binsr_train.trainers.precision),
            "fp32" or "bf16" (autocast).
        init_grow: init_from may have fewer residual blocks than the model: the extra blocks start as identity
            (their last BN scale zero), so a deeper model starts exactly where the shallower one ended.
        monitor: measure the validation PSNR (held-out training images,
            binsr_train.data.training_images.split_validation) at each checkpoint and export only when it improves;
            off, every checkpoint exports.
        validation_stride: every validation_stride-th training image is held out for the monitor.
        checkpoint_minutes: minutes between checkpoints in `train`.
        ema_decay: 0 (off) or the decay of an exponential moving average of the weights that validation and export
            use (binsr_train.trainers.recipe.WeightAverage).
        distill_from: a real model's .train.safetensors (relative to training/) to distill from; same arch (srresnet)
            and scale, distill_blocks residual blocks.
        distill_output_weight, distill_feature_weight: weights of the output and per-block feature L1 terms.
    """

    name: str
    model: ModelConfig
    patch: int = 96
    batch: int = 16
    lr: float = 2e-4
    binary_lr_factor: float = 5.0
    lr_min_ratio: float = 0.02
    warmup_iters: int = 30
    loss: str = "l1"
    noise_sigma: float = 0.0
    iterations: int = 1000
    seed: int = 0
    folders: tuple[str, ...] = DEFAULT_FOLDERS
    train_root: str = str(TRAIN_ROOT)
    runs_dir: str = str(REPO_ROOT / "runs")
    models_dir: str = str(REPO_ROOT / "models")
    init_from: str = ""
    init_skip: tuple[str, ...] = ()
    threads: int = 2
    channels_last: bool = True
    precision: str = "auto"
    init_grow: bool = False
    monitor: bool = True
    validation_stride: int = VALIDATION_STRIDE
    checkpoint_minutes: float = 5.0
    ema_decay: float = 0.0
    distill_from: str = ""
    distill_blocks: int = 0
    distill_output_weight: float = 1.0
    distill_feature_weight: float = 0.0

    def __post_init__(self) -> None:
        _check(self.name.replace("_", "").isalnum(), f"name must be letters, digits and '_', got {self.name!r}")
        _check(self.patch > 0 and self.patch % (4 * self.model.scale) == 0,
               f"patch must be a positive multiple of 4*scale, got {self.patch}")
        _check(self.batch >= 1, f"batch must be >= 1, got {self.batch}")
        _check(0 < self.lr < 1 and self.binary_lr_factor > 0, "lr must be in (0,1), binary_lr_factor > 0")
        _check(0 <= self.lr_min_ratio <= 1, f"lr_min_ratio must be in [0,1], got {self.lr_min_ratio}")
        _check(self.loss in LOSSES, f"loss must be one of {LOSSES}, got {self.loss!r}")
        _check(self.noise_sigma >= 0 and self.iterations >= 0 and self.warmup_iters >= 0, "negative value")
        _check(self.precision in ("auto", "fp32", "bf16"), f"precision must be auto, fp32 or bf16, got {self.precision!r}")
        _check(self.threads >= 1 and self.checkpoint_minutes > 0, "threads and checkpoint_minutes must be positive")
        _check(self.ema_decay == 0 or 0 < self.ema_decay < 1, f"ema_decay must be 0 (off) or in (0,1), got {self.ema_decay}")
        _check(not self.distill_from or (self.model.arch == "srresnet" and 1 <= self.distill_blocks <= self.model.blocks),
               "distill_from needs an srresnet student and distill_blocks in 1...blocks")
        _check(self.validation_stride >= 2, f"validation_stride must be at least 2, got {self.validation_stride}")
        _check(self.distill_output_weight >= 0 and self.distill_feature_weight >= 0, "negative distillation weight")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def from_dict(cls: type, values: dict[str, object], where: str = "config") -> object:
    """Build dataclass `cls` from a dict, rejecting unknown keys and values of the wrong type."""
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: expected a table, got {type(values).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(f"{where}: unknown keys {unknown} (known: {sorted(fields)})")
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for key, value in values.items():
        kwargs[key] = _convert(hints[key], value, f"{where}.{key}")
    try:
        return cls(**kwargs)
    except TypeError as error:
        raise ConfigError(f"{where}: {error}") from error


def _convert(hint: object, value: object, where: str) -> object:
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value, where)
    origin = typing.get_origin(hint)
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings")
        return tuple(value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint in (int, float, str, bool) and type(value) is not hint:
        raise ConfigError(f"{where}: expected {hint.__name__}, got {type(value).__name__} {value!r}")
    if isinstance(hint, types.UnionType):
        raise ConfigError(f"{where}: unsupported type {hint}")
    return value


def load_train_config(path: pathlib.Path, overrides: dict[str, object] | None = None) -> TrainConfig:
    """Read a TOML training config; `overrides` replaces top-level keys (e.g. from the command line)."""
    with open(path, "rb") as handle:
        values = tomllib.load(handle)
    values.update(overrides or {})
    return from_dict(TrainConfig, values, str(path))


def replace(config: TrainConfig, **changes: object) -> TrainConfig:
    return dataclasses.replace(config, **changes)


__all__ = ["ConfigError", "ModelConfig", "TrainConfig", "from_dict", "load_train_config", "replace"]
