"""Y-PSNR: BT.601 luma on the 16..235 scale, border cropped, against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from binsr_train.metrics.psnr import psnr_y, rgb_to_y


def test_luma_of_black_and_white_is_16_and_235() -> None:
    image = np.array([[[0, 0, 0], [255, 255, 255]]], dtype=np.uint8)
    assert np.allclose(rgb_to_y(image), [[16.0, 235.0]])


def test_psnr_of_a_uniform_one_level_offset() -> None:
    reference = np.full((10, 10, 3), 100, dtype=np.uint8)
    estimate = reference + 1
    delta = (65.481 + 128.553 + 24.966) / 255.0  # Y changes by 219/255 per RGB level
    assert psnr_y(reference, estimate, border=0) == pytest.approx(20 * math.log10(255.0 / delta), abs=1e-9)


def test_border_pixels_are_ignored() -> None:
    reference = np.zeros((12, 12, 3), dtype=np.uint8)
    estimate = reference.copy()
    estimate[:4] = 255
    estimate[:, -4:] = 255
    assert psnr_y(reference, estimate, border=4) == math.inf
    assert psnr_y(reference, estimate, border=3) < 20


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        psnr_y(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8), 0)
