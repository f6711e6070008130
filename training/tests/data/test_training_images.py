"""Training images: benchmark test sets refused, validation images held out of every folder."""

from __future__ import annotations

import pathlib

import pytest

from binsr_train.data.training_images import (DEFAULT_FOLDERS, TRAIN_ROOT, ForbiddenDatasetError, list_training_images,
                                              split_validation)

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
