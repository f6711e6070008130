"""Training data: test sets refused, patches aligned across scales and augmented together."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from binsr_train.data import (DEFAULT_FOLDERS, TRAIN_ROOT, ForbiddenDatasetError, PatchCache, default_cache_file,
                              list_training_images, split_validation)
from binsr_train.imresize import imresize

SHARED = pathlib.Path("/work/shared/datasets")


def test_benchmark_folders_are_refused(tmp_path: pathlib.Path) -> None:
    for name in ("Set5", "set14", "Urban100"):
        (tmp_path / name).mkdir()
        with pytest.raises(ForbiddenDatasetError):
            list_training_images(tmp_path, (name,))
    with pytest.raises(ForbiddenDatasetError):
        list_training_images(TRAIN_ROOT, ("../Set5",))


@pytest.mark.skipif(not TRAIN_ROOT.is_dir(), reason="shared datasets not present")
def test_default_training_list_never_contains_test_set_images() -> None:
    paths = list_training_images(TRAIN_ROOT, DEFAULT_FOLDERS)
    assert len(paths) > 500
    test_files = {p.resolve() for d in ("Set5", "Set14") for p in (SHARED / d).iterdir()}
    assert not test_files & {p.resolve() for p in paths}
    assert all(TRAIN_ROOT in p.parents for p in paths)
    assert not any(p.suffix == ".md" for p in paths)


@pytest.mark.skipif(not TRAIN_ROOT.is_dir(), reason="shared datasets not present")
def test_validation_images_are_held_out_of_training_and_drawn_from_every_folder() -> None:
    paths = list_training_images(TRAIN_ROOT, DEFAULT_FOLDERS)
    train, held = split_validation(paths)
    assert len(held) == 21 and len(train) + len(held) == len(paths)
    assert not set(train) & set(held)
    assert {p.parent.name for p in held} == set(DEFAULT_FOLDERS)
    with pytest.raises(ValueError):
        split_validation(paths, 1)


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
