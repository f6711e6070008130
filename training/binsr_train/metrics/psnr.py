"""PSNR on the Y channel (BT.601, border = scale) and the validation monitor used during training.

Y = 16 + (65.481 R + 128.553 G + 24.966 B) on RGB in [0,1] (ITU-R BT.601 as in MATLAB rgb2ycbcr), unrounded; PSNR
on the 0..255 scale after cropping `scale` pixels at each border (the EDSR / BasicSR convention). This is a Python
monitor; the official numbers come from `binsr eval` (Swift).
"""

from __future__ import annotations

import math
import pathlib

import numpy as np
import torch

from binsr_train.data.imresize import imresize, to_uint8
from binsr_train.data.training_images import (SHARED_ROOT, VALIDATION_STRIDE, decode_rgb, list_training_images,
                                              split_validation)

SET5_DIR = SHARED_ROOT / "datasets" / "Set5"


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Y on the 16..235 scale from HWC uint8 RGB."""
    rgb = image.astype(np.float64) / 255.0
    return 16.0 + 65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]


def psnr_y(reference: np.ndarray, estimate: np.ndarray, border: int) -> float:
    """PSNR (dB) between two HWC uint8 RGB images on Y, `border` pixels cropped on each side."""
    if reference.shape != estimate.shape:
        raise ValueError(f"shape mismatch {reference.shape} vs {estimate.shape}")
    a = rgb_to_y(reference)
    b = rgb_to_y(estimate)
    if border > 0:
        a = a[border:-border, border:-border]
        b = b[border:-border, border:-border]
    mse = float(np.mean((a - b) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(255.0 ** 2 / mse)


def load_validation(paths: list[pathlib.Path], scale: int, crop: int = 192) -> list[tuple[np.ndarray, np.ndarray]]:
    """(HR, LR) pairs of held-out training images for checkpoint selection: the centre crop x crop of each HR image
    (smaller images whole, mod-cropped to scale) so that validating a 16-block model costs seconds, not minutes."""
    pairs = []
    for path in paths:
        hr = decode_rgb(path)
        h, w = min(crop, hr.shape[0]) // scale * scale, min(crop, hr.shape[1]) // scale * scale
        top, left = (hr.shape[0] - h) // 2, (hr.shape[1] - w) // 2
        hr = np.ascontiguousarray(hr[top:top + h, left:left + w])
        pairs.append((hr, to_uint8(imresize(hr, 1.0 / scale))))
    return pairs


def held_out_pairs(train_root: pathlib.Path, folders: tuple[str, ...], scale: int,
                   stride: int = VALIDATION_STRIDE) -> list[tuple[np.ndarray, np.ndarray]]:
    """The validation pairs of the images split_validation holds out of these training folders."""
    return load_validation(split_validation(list_training_images(train_root, folders), stride)[1], scale)


def load_benchmark(directory: pathlib.Path, scale: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(HR mod-cropped to scale, LR = uint8(imresize(HR, 1/scale))) pairs of a test set, for evaluation only."""
    pairs = []
    for path in sorted(directory.glob("*.png")):
        hr = decode_rgb(path)
        hr = hr[: hr.shape[0] // scale * scale, : hr.shape[1] // scale * scale]
        pairs.append((hr, to_uint8(imresize(hr, 1.0 / scale))))
    return pairs


@torch.no_grad()
def evaluate(model: torch.nn.Module, pairs: list[tuple[np.ndarray, np.ndarray]], scale: int) -> float:
    """Mean Y-PSNR of the model's eval-mode output (clamped, rounded to uint8) over the pairs."""
    was_training = model.training
    model.eval()
    scores = []
    for hr, lr in pairs:
        device = next(model.parameters()).device  # the trainer's (a GPU's) device, or the CPU
        x = torch.from_numpy(lr.transpose(2, 0, 1).astype(np.float32) / 255.0)[None].to(device)
        with torch.no_grad():
            y = model(x)
        if isinstance(y, list):
            y = y[-1]
        sr = to_uint8(y[0].clamp(0, 1).float().cpu().numpy().transpose(1, 2, 0) * 255.0)
        scores.append(psnr_y(hr, sr, scale))
    model.train(was_training)
    return float(np.mean(scores))
