"""Training patches: HR images decoded once, downscaled once per scale with MATLAB bicubic, cached in memory.

Patches are cropped at aligned positions from an HR image and its precomputed LR copies (rounded to uint8, as real
inputs are), then flipped / rotated by 90 degrees together.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
from dataclasses import dataclass

import numpy as np

from binsr_train.data.imresize import imresize, to_uint8
from binsr_train.data.training_images import decode_rgb

MOD = 4  # HR images are cropped to a multiple of 4 so that the x2 and x4 copies align exactly.


@dataclass
class CachedImage:
    """One training image: `levels[s]` is the uint8 HWC copy downscaled by s (levels[1] is the mod-4 HR)."""

    levels: dict[int, np.ndarray]


class PatchCache:
    """All training images in memory at scales 1 (HR) and each requested downscale factor.

    Args:
        paths: image files to load.
        scales: downscale factors to precompute (2 and/or 4).
        cache_file: optional .npz file in which the decoded and downscaled arrays are kept between runs.
    """

    def __init__(self, paths: list[pathlib.Path], scales: tuple[int, ...], cache_file: pathlib.Path | None = None):
        if not paths:
            raise ValueError("no training images")
        self.scales = tuple(sorted(set(scales)))
        self.images = self._load(paths, cache_file)
        areas = np.array([img.levels[1].shape[0] * img.levels[1].shape[1] for img in self.images], dtype=np.float64)
        self.weights = areas / areas.sum()
        self._patch_weights: dict[int, np.ndarray] = {}

    def _load(self, paths: list[pathlib.Path], cache_file: pathlib.Path | None) -> list[CachedImage]:
        if cache_file is not None and cache_file.exists():
            with np.load(cache_file) as stored:
                count = int(stored["count"])
                if count == len(paths):
                    return [CachedImage({s: stored[f"{i}_{s}"] for s in (1,) + self.scales}) for i in range(count)]
        images = []
        for path in paths:
            hr = decode_rgb(path)
            hr = hr[: hr.shape[0] // MOD * MOD, : hr.shape[1] // MOD * MOD]
            levels = {1: hr}
            for s in self.scales:
                levels[s] = to_uint8(imresize(hr, 1.0 / s))
            images.append(CachedImage(levels))
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            arrays = {f"{i}_{s}": a for i, img in enumerate(images) for s, a in img.levels.items()}
            tmp = cache_file.with_name(f".{cache_file.stem}.{os.getpid()}.tmp.npz")  # DDP ranks may race here
            np.savez(tmp, count=np.array(len(images)), **arrays)
            os.replace(tmp, cache_file)
        return images

    def _weights_for(self, patch: int) -> np.ndarray:
        """Area weights over the images at least `patch` pixels on both sides (smaller ones are never picked:
        T91 has images under 96 pixels)."""
        cached = self._patch_weights.get(patch)
        if cached is None:
            fits = np.array([min(img.levels[1].shape[:2]) >= patch for img in self.images])
            if not fits.any():
                raise ValueError(f"no training image is at least {patch}x{patch}")
            cached = self.weights * fits / (self.weights * fits).sum()
            self._patch_weights[patch] = cached
        return cached

    def sample(self, rng: np.random.Generator, batch: int, patch: int, scale: int,
               extra_scales: tuple[int, ...] = ()) -> dict[int, np.ndarray]:
        """A batch of aligned patches: {scale: LR [B,3,p/s,p/s] float32 in [0,1], 1: HR, e: extra targets}.

        patch is the HR patch size and must be divisible by scale.
        """
        if patch % scale != 0:
            raise ValueError(f"patch {patch} not divisible by scale {scale}")
        lr_patch = patch // scale
        wanted = (scale, 1) + tuple(extra_scales)
        out = {s: np.empty((batch, patch // s, patch // s, 3), dtype=np.uint8) for s in wanted}
        picks = rng.choice(len(self.images), size=batch, p=self._weights_for(patch))
        for b, index in enumerate(picks):
            levels = self.images[index].levels
            lr_h, lr_w = levels[scale].shape[:2]
            if lr_h < lr_patch or lr_w < lr_patch:
                raise ValueError(f"image {index} smaller than the patch")
            y = int(rng.integers(0, lr_h - lr_patch + 1)) * scale
            x = int(rng.integers(0, lr_w - lr_patch + 1)) * scale
            flip_h, flip_v, rot = rng.integers(0, 2, size=3)
            for s in wanted:
                crop = levels[s][y // s: (y + patch) // s, x // s: (x + patch) // s]
                if flip_h:
                    crop = crop[:, ::-1]
                if flip_v:
                    crop = crop[::-1]
                if rot:
                    crop = crop.transpose(1, 0, 2)
                out[s][b] = crop
        return {s: np.ascontiguousarray(a.transpose(0, 3, 1, 2), dtype=np.float32) / 255.0 for s, a in out.items()}


def default_cache_file(runs_dir: pathlib.Path, paths: list[pathlib.Path], scales: tuple[int, ...]) -> pathlib.Path:
    """A cache file name that changes whenever the image list or the scales change."""
    digest = hashlib.sha256(("\n".join(map(str, paths)) + repr(sorted(scales))).encode()).hexdigest()[:12]
    return runs_dir / "cache" / f"train_{digest}.npz"
