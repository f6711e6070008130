"""Training patches: aligned across scales and augmented together, cached to a file, never larger than the image."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from binsr_train.data.imresize import imresize
from binsr_train.data.patch_cache import PatchCache, default_cache_file
from binsr_train.data.training_images import list_training_images


def test_patches_are_aligned_across_scales_and_augmented_together(tiny_train_root: pathlib.Path) -> None:
    paths = list_training_images(tiny_train_root, ("Synthetic",))
    cache = PatchCache(paths, (2, 4))
    assert all(img.levels[1].shape[:2] == (40, 52) for img in cache.images)
    assert all(img.levels[4].shape[:2] == (10, 13) and img.levels[2].shape[:2] == (20, 26) for img in cache.images)
    batch = cache.sample(np.random.default_rng(5), 12, 32, 4, extra_scales=(2,))
    assert batch[4].shape == (12, 3, 8, 8) and batch[2].shape == (12, 3, 16, 16) and batch[1].shape == (12, 3, 32, 32)
    assert batch[1].dtype == np.float32 and 0.0 <= batch[1].min() and batch[1].max() <= 1.0
    for b in range(12):
        # Downscaling the HR patch reproduces the LR patch away from the patch border (the LR was computed on the
        # whole image, so only the border differs) up to uint8 rounding: this fails for any misalignment or
        # for an augmentation applied to one but not the other.
        hr = batch[1][b].transpose(1, 2, 0) * 255.0
        lr = batch[4][b].transpose(1, 2, 0) * 255.0
        assert np.abs(imresize(hr, 1 / 4)[2:-2, 2:-2] - lr[2:-2, 2:-2]).max() <= 0.51
        mid = batch[2][b].transpose(1, 2, 0) * 255.0
        assert np.abs(imresize(hr, 1 / 2)[3:-3, 3:-3] - mid[3:-3, 3:-3]).max() <= 0.51


def test_cache_file_round_trip(tiny_train_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    paths = list_training_images(tiny_train_root, ("Synthetic",))
    cache_file = default_cache_file(tmp_path, paths, (2, 4))
    first = PatchCache(paths, (2, 4), cache_file)
    assert cache_file.exists()
    second = PatchCache(paths, (2, 4), cache_file)
    for a, b in zip(first.images, second.images):
        assert all(np.array_equal(a.levels[s], b.levels[s]) for s in (1, 2, 4))


def test_patch_must_divide_by_scale(tiny_train_root: pathlib.Path) -> None:
    cache = PatchCache(list_training_images(tiny_train_root, ("Synthetic",)), (2, 4))
    with pytest.raises(ValueError):
        cache.sample(np.random.default_rng(0), 1, 30, 4)


def test_images_smaller_than_the_patch_are_never_picked(tmp_path: pathlib.Path) -> None:
    from PIL import Image

    folder = tmp_path / "Mixed"
    folder.mkdir()
    rng = np.random.default_rng(3)
    for name, (h, w) in {"small": (24, 60), "large": (64, 72)}.items():
        Image.fromarray(rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)).save(folder / f"{name}.png")
    cache = PatchCache(list_training_images(tmp_path, ("Mixed",)), (4,))
    small = [i for i, img in enumerate(cache.images) if img.levels[1].shape[0] == 24]
    assert len(small) == 1
    for _ in range(20):  # 32x32 patches fit only the large image; the small one (24 rows) would have raised
        batch = cache.sample(rng, 4, 32, 4)
        assert batch[1].shape[0] == 4
    assert cache._weights_for(32)[small[0]] == 0 and cache._weights_for(16)[small[0]] > 0
    with pytest.raises(ValueError, match="at least 96x96"):
        cache.sample(rng, 1, 96, 4)
