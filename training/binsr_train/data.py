"""Training data: HR images decoded once, downscaled once per scale with MATLAB bicubic, cached in memory.

Patches are cropped at aligned positions from an HR image and its precomputed LR copies (rounded to uint8, as real
inputs are), then flipped / rotated by 90 degrees together. Only folders under the training root are read; the
benchmark test sets (Set5, Set14) are refused by name so that no configuration mistake can train on them.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
from dataclasses import dataclass

import numpy as np
from PIL import Image

from binsr_train.imresize import imresize, to_uint8

# The repository root, and shared/ beside it (as in CI and the developers' checkouts; BINSR_SHARED overrides).
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED_ROOT = pathlib.Path(os.environ.get("BINSR_SHARED", REPO_ROOT.parent / "shared"))
TRAIN_ROOT = SHARED_ROOT / "datasets" / "train"
DEFAULT_FOLDERS = ("T91", "BSD200", "BSDS500_test", "Kodak24", "McMaster18", "wikipedia_photos")
FORBIDDEN_NAMES = ("set5", "set14", "urban100", "bsd100", "manga109")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
MOD = 4  # HR images are cropped to a multiple of 4 so that the x2 and x4 copies align exactly.
# Checkpoints are selected on images held out of the training folders, never on a benchmark test set: every
# VALIDATION_STRIDE-th image of each folder's sorted list, starting with its first (21 of the 577 default images).
VALIDATION_STRIDE = 32


class ForbiddenDatasetError(ValueError):
    """A training folder names a benchmark test set."""


def list_training_images(root: pathlib.Path, folders: tuple[str, ...]) -> list[pathlib.Path]:
    """Image files of the given folders under root, sorted; refuses any benchmark test set."""
    paths: list[pathlib.Path] = []
    for folder in folders:
        directory = root / folder
        lowered = [part.lower() for part in directory.resolve().parts]
        if any(name in lowered for name in FORBIDDEN_NAMES):
            raise ForbiddenDatasetError(f"refusing to train on benchmark test set folder {directory}")
        if not directory.is_dir():
            raise FileNotFoundError(f"training folder not found: {directory}")
        paths += sorted(p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return paths


def split_validation(paths: list[pathlib.Path], stride: int = VALIDATION_STRIDE
                     ) -> tuple[list[pathlib.Path], list[pathlib.Path]]:
    """(training, held-out validation) paths: in each folder, every `stride`-th path (the first included) is held
    out, so that every folder, however small, is represented."""
    if stride < 2:
        raise ValueError(f"validation stride must be at least 2, got {stride}")
    train: list[pathlib.Path] = []
    held: list[pathlib.Path] = []
    seen: dict[pathlib.Path, int] = {}
    for path in paths:
        index = seen.get(path.parent, 0)
        seen[path.parent] = index + 1
        (held if index % stride == 0 else train).append(path)
    return train, held


def decode_rgb(path: pathlib.Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


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
