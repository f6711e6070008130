"""MATLAB-compatible bicubic `imresize` (the resampler that defines every published SR bicubic baseline).

Port of MATLAB's `imresize.m` (`contributions`, `cubic`): Keys cubic kernel with a = -0.5, the kernel widened by
1/scale when downscaling (antialiasing), the coordinate mapping u = x/scale + 0.5 (1 - 1/scale) on 1-based pixel
centres, symmetric border padding (index mirroring), output size ceil(in * scale), and the dimension with the
smaller scale processed first. Computation in float64; the result is NOT rounded (callers round where real inputs
are uint8).
"""

from __future__ import annotations

import math

import numpy as np


def cubic(x: np.ndarray) -> np.ndarray:
    """Keys (1981) cubic convolution kernel with a = -0.5, as in MATLAB `imresize.m`."""
    absx = np.abs(x)
    absx2 = absx * absx
    absx3 = absx2 * absx
    near = (1.5 * absx3 - 2.5 * absx2 + 1.0) * (absx <= 1.0)
    far = (-0.5 * absx3 + 2.5 * absx2 - 4.0 * absx + 2.0) * ((absx > 1.0) & (absx <= 2.0))
    return near + far


def contributions(in_length: int, out_length: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Weights [out, P] and 0-based source indices [out, P] for one dimension (MATLAB `contributions`)."""
    kernel_width = 4.0
    if scale < 1.0:
        kernel_width = kernel_width / scale
    x = np.arange(1, out_length + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - kernel_width / 2.0)
    taps = int(math.ceil(kernel_width)) + 2
    indices = left[:, None] + np.arange(taps, dtype=np.float64)[None, :]
    distance = u[:, None] - indices
    if scale < 1.0:
        weights = scale * cubic(scale * distance)
    else:
        weights = cubic(distance)
    weights = weights / weights.sum(axis=1, keepdims=True)
    # Symmetric padding: 1..n, n..1 repeated (MATLAB `aux = [1:in_length, in_length:-1:1]`).
    mirror = np.concatenate([np.arange(in_length), np.arange(in_length - 1, -1, -1)])
    indices = mirror[np.mod(indices.astype(np.int64) - 1, mirror.size)]
    keep = np.any(weights != 0.0, axis=0)
    return weights[:, keep], indices[:, keep]


def output_size(length: int, scale: float) -> int:
    """MATLAB's output length: ceil(length * scale)."""
    return int(math.ceil(length * scale - 1e-9))


def _resize_axis(image: np.ndarray, axis: int, scale: float) -> np.ndarray:
    in_length = image.shape[axis]
    weights, indices = contributions(in_length, output_size(in_length, scale), scale)
    moved = np.moveaxis(image, axis, 0)
    gathered = moved[indices]  # [out, P, ...rest]
    shape = weights.shape + (1,) * (moved.ndim - 1)
    resized = (gathered * weights.reshape(shape)).sum(axis=1)
    return np.moveaxis(resized, 0, axis)


def imresize(image: np.ndarray, scale: float) -> np.ndarray:
    """Resize an HxW or HxWxC array by `scale` like MATLAB `imresize(image, scale, 'bicubic')`.

    Args:
        image: array of any real dtype; uint8 inputs keep their 0..255 value scale.
        scale: the same factor for both spatial axes (e.g. 1/4 or 4).

    Returns:
        float64 array of shape (ceil(H*scale), ceil(W*scale)[, C]), unrounded.
    """
    if scale <= 0.0 or not math.isfinite(scale):
        raise ValueError(f"scale must be a positive finite number, got {scale}")
    if image.ndim not in (2, 3) or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"expected a non-empty HxW or HxWxC array, got shape {image.shape}")
    result = image.astype(np.float64)
    # MATLAB processes dimensions in order of increasing scale; with equal scales rows (axis 0) go first.
    for axis in (0, 1):
        result = _resize_axis(result, axis, scale)
    return result


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Round half away from zero and clamp to 0..255, as MATLAB's double-to-uint8 conversion does."""
    return np.clip(np.floor(image + 0.5), 0, 255).astype(np.uint8)
