"""Export to the binsr weight format (docs/weights-format.md) and the resumable training state.

BatchNorm is folded into the preceding convolution: with g = gamma / sqrt(var + eps), a real conv becomes
W' = g W, b' = beta - g mean + g b; a binary conv keeps its signs and becomes alpha' = g alpha, b' likewise.
Binary signs are bit-packed per output channel in (in, ky, kx) row-major order, least significant bit first,
bit 1 = +1. Files are written to a temporary name and renamed, so a reader never sees a partial file.
"""

from __future__ import annotations

import copy
import json
import os
import pathlib

import numpy as np
import torch
from safetensors.numpy import save_file
from safetensors.torch import load_file
from torch import nn

from binsr_train.archs.binarize import BinaryConv2d
from binsr_train.archs.blocks import ConvBN, ResidualBlock
from binsr_train.config import ModelConfig

FORMAT_VERSION = "1"


class ExportError(ValueError):
    """The model has a layer the weight format cannot express."""


def pack_signs(weight: np.ndarray) -> np.ndarray:
    """[out, in, k, k] real weights -> U8 [out, ceil(in*k*k/8)]: bit j%8 of byte j/8 is 1 where weight >= 0."""
    bits = (weight.reshape(weight.shape[0], -1) >= 0).astype(np.uint8)
    return np.packbits(bits, axis=1, bitorder="little")


def unpack_signs(packed: np.ndarray, shape: tuple[int, int, int, int]) -> np.ndarray:
    """Inverse of pack_signs: float32 +1/-1 of the given [out, in, k, k] shape."""
    count = shape[1] * shape[2] * shape[3]
    bits = np.unpackbits(packed, axis=1, count=count, bitorder="little")
    return (bits.astype(np.float32) * 2.0 - 1.0).reshape(shape)


def _bn_after(model: nn.Module) -> dict[str, nn.BatchNorm2d]:
    """Map each convolution's name to the BatchNorm that follows it."""
    pairs: dict[str, nn.BatchNorm2d] = {}
    for name, module in model.named_modules():
        prefix = f"{name}." if name else ""
        if isinstance(module, ResidualBlock):
            pairs[prefix + "conv1"] = module.bn1
            pairs[prefix + "conv2"] = module.bn2
        elif isinstance(module, ConvBN):
            pairs[prefix + "conv"] = module.bn
    return pairs


def _fold(conv: nn.Conv2d, bn: nn.BatchNorm2d | None) -> tuple[torch.Tensor, torch.Tensor]:
    """(per-output-channel multiplier g, bias b') that fold `bn` into `conv`, in float64."""
    out = conv.out_channels
    bias = conv.bias.detach().double() if conv.bias is not None else torch.zeros(out, dtype=torch.float64)
    if bn is None:
        return torch.ones(out, dtype=torch.float64), bias
    g = bn.weight.detach().double() / torch.sqrt(bn.running_var.double() + bn.eps)
    return g, bn.bias.detach().double() - g * bn.running_mean.double() + g * bias


@torch.no_grad()
def export_tensors(model: nn.Module) -> tuple[dict[str, np.ndarray], list[str]]:
    """The format's tensors of an eval-mode model, and the names of its binary convolutions."""
    if any(p.device.type != "cpu" for p in model.parameters()):
        model = copy.deepcopy(model).cpu()  # a GPU trainer's model: fold and pack on the host
    bn_after = _bn_after(model)
    folded_bns = {id(bn) for bn in bn_after.values()}
    tensors: dict[str, np.ndarray] = {}
    binary_layers: list[str] = []
    for name, module in model.named_modules():
        if isinstance(module, nn.ConvTranspose2d):
            if module.kernel_size != (4, 4) or module.stride != (2, 2) or module.padding != (1, 1):
                raise ExportError(f"{name}: only 4x4 stride-2 padding-1 transposed convolutions are supported")
            tensors[f"{name}.weight"] = module.weight.detach().float().numpy()
            tensors[f"{name}.bias"] = module.bias.detach().float().numpy()
        elif isinstance(module, nn.Conv2d):
            k = module.kernel_size[0]
            if module.stride != (1, 1) or module.padding != (k // 2, k // 2) or module.groups != 1:
                raise ExportError(f"{name}: only stride-1 'same' convolutions are supported")
            g, bias = _fold(module, bn_after.get(name))
            tensors[f"{name}.bias"] = bias.float().numpy()
            if isinstance(module, BinaryConv2d):
                binary_layers.append(name)
                weight = module.weight.detach().float().numpy()
                tensors[f"{name}.weight_bits"] = pack_signs(weight)
                tensors[f"{name}.alpha"] = (module.effective_alpha().detach().double() * g).float().numpy()
                tensors[f"{name}.shape"] = np.array(weight.shape, dtype=np.int64)
            else:
                weight = module.weight.detach().double() * g.view(-1, 1, 1, 1)
                tensors[f"{name}.weight"] = weight.float().numpy()
        elif isinstance(module, nn.PReLU):
            tensors[f"{name}.weight"] = module.weight.detach().float().numpy()
        elif isinstance(module, nn.BatchNorm2d):
            if id(module) not in folded_bns:
                raise ExportError(f"{name}: BatchNorm that does not follow a convolution cannot be folded")
        elif not list(module.children()) and list(module.parameters(recurse=False)):
            raise ExportError(f"{name}: {type(module).__name__} has no representation in the weight format")
    return {k: np.ascontiguousarray(v) for k, v in tensors.items()}, binary_layers


def _atomic_save(tensors: dict[str, np.ndarray], metadata: dict[str, str], path: pathlib.Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    save_file(tensors, str(tmp), metadata=metadata)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def export_model(model: nn.Module, config: ModelConfig, path: pathlib.Path,
                 provenance: dict[str, str] | None = None) -> None:
    """Write `model` (evaluated with its BN running statistics) as a binsr weight file."""
    was_training = model.training
    model.eval()
    tensors, binary_layers = export_tensors(model)
    model.train(was_training)
    metadata = {
        "format": "binsr-weights",
        "format_version": FORMAT_VERSION,
        "arch": config.arch,
        "scale": str(config.scale),
        "blocks": str(config.blocks),
        "channels": str(config.channels),
        "binary": "true" if config.binary else "false",
        "binary_layers": json.dumps(binary_layers),
        "alpha_mode": config.alpha_mode if config.binary else "none",
        "input_range": "0-1",
    }
    metadata.update(provenance or {})
    _atomic_save(tensors, metadata, path)


def save_train_state(model: nn.Module, config: ModelConfig, path: pathlib.Path, extra: dict[str, str]) -> None:
    """The resumable state: the model's fp32 state_dict (no optimizer) plus the model config as metadata."""
    tensors = {k: v.detach().float().cpu().contiguous().numpy() for k, v in model.state_dict().items()
               if v.dtype.is_floating_point}
    tensors.update({k: v.detach().cpu().numpy() for k, v in model.state_dict().items()
                    if not v.dtype.is_floating_point})
    metadata = {"model_config": json.dumps(config.__dict__)} | extra
    _atomic_save(tensors, metadata, path)


def load_state_into(model: nn.Module, path: pathlib.Path, skip_prefixes: tuple[str, ...] = (),
                    grow: bool = False) -> list[str]:
    """Load a .train.safetensors into `model` strictly; returns the names it initialised differently.

    Keys starting with a skip prefix are ignored. The only missing keys tolerated are binary alphas (a binary model
    started from a real one): they are re-initialised to mean|W| of the loaded weights (Ma et al. Eq. 4). With
    `grow`, residual blocks `body.{i}.` that the file lacks are tolerated too (a deeper model started from a
    shallower one): their last BatchNorm scale and shift are zeroed, so each new block starts as the identity and the
    grown model computes exactly what the file's model did. Any other missing, unexpected or mis-shaped tensor raises.
    """
    state = {k: v for k, v in load_file(str(path)).items() if not k.startswith(skip_prefixes)}
    own = model.state_dict()
    unexpected = sorted(set(state) - set(own))
    missing = sorted(k for k in set(own) - set(state) if not k.startswith(skip_prefixes))
    loaded_blocks = {k.split(".")[1] for k in state if k.startswith("body.")}
    new_blocks = sorted({k.split(".")[1] for k in missing if k.startswith("body.")} - loaded_blocks) if grow else []
    grown = [k for k in missing if k.startswith("body.") and k.split(".")[1] in new_blocks]
    bad_missing = [k for k in missing if not k.endswith(".alpha") and k not in grown]
    if unexpected or bad_missing:
        raise KeyError(f"{path}: unexpected tensors {unexpected}, missing tensors {bad_missing}")
    for key, value in state.items():
        if value.shape != own[key].shape:
            raise ValueError(f"{path}: {key} has shape {tuple(value.shape)}, model expects {tuple(own[key].shape)}")
    model.load_state_dict(state, strict=False)
    with torch.no_grad():
        for index in new_blocks:
            block = model.body[int(index)]
            block.bn2.weight.zero_()
            block.bn2.bias.zero_()
    for name, module in model.named_modules():
        if isinstance(module, BinaryConv2d) and f"{name}.alpha" in missing and f"{name}.alpha" not in grown:
            module.reset_alpha()
    return missing
