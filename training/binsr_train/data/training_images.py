"""Which images are training data: the folders under the training root, the held-out validation split, decoding.

Only folders under the training root are read; the benchmark test sets (Set5, Set14) are refused by name so that no
configuration mistake can train on them.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np
from PIL import Image

# The repository root, and shared/ beside it (as in CI and the developers' checkouts; BINSR_SHARED overrides).
REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
SHARED_ROOT = pathlib.Path(os.environ.get("BINSR_SHARED", REPO_ROOT.parent / "shared"))
TRAIN_ROOT = SHARED_ROOT / "datasets" / "train"
DEFAULT_FOLDERS = ("T91", "BSD200", "BSDS500_test", "Kodak24", "McMaster18", "wikipedia_photos")
FORBIDDEN_NAMES = ("set5", "set14", "urban100", "bsd100", "manga109")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
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
