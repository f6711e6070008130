"""Shared fixtures: a tiny synthetic training folder so that no test depends on the real datasets' size."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import torch
from PIL import Image

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_train_root(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """train/<folder>/ with four smooth-ish random 40x52 RGB PNGs."""
    root = tmp_path_factory.mktemp("train")
    folder = root / "Synthetic"
    folder.mkdir()
    rng = np.random.default_rng(7)
    for i in range(4):
        coarse = rng.integers(0, 256, size=(10, 13, 3), dtype=np.uint8)
        image = Image.fromarray(coarse).resize((52, 40), Image.BILINEAR)
        image.save(folder / f"{i}.png")
    return root
