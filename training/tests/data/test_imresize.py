"""MATLAB-compatible bicubic imresize: the shared vector, known properties and the published Set5 numbers."""

from __future__ import annotations

import importlib.util
import json
import pathlib

import numpy as np
import pytest

from binsr_train.data.imresize import contributions, cubic, imresize, to_uint8
from binsr_train.data.training_images import decode_rgb
from binsr_train.metrics.psnr import SET5_DIR, psnr_y

ROOT = pathlib.Path(__file__).resolve().parents[3]


def _vector_module():
    spec = importlib.util.spec_from_file_location("make_bicubic_vector", ROOT / "training/scripts/make_bicubic_vector.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_vector_matches_the_implementation() -> None:
    committed = json.loads((ROOT / "Tests/Fixtures/bicubic/vector.json").read_text())
    fresh = _vector_module().make_vector()
    assert committed["width"] == 17 and committed["height"] == 13
    assert np.array(committed["hr"]).shape == (13, 17, 3)
    assert np.array(committed["down_x2"]).shape == (7, 9, 3) and np.array(committed["down_x4"]).shape == (4, 5, 3)
    assert np.array(committed["up_x2"]).shape == (14, 18, 3) and np.array(committed["up_x4"]).shape == (16, 20, 3)
    for key in ("hr", "down_x2", "down_x4", "up_x2", "up_x4"):
        assert np.allclose(np.array(committed[key]), np.array(fresh[key]), atol=1e-9, rtol=0), key


def test_cubic_kernel_values() -> None:
    # Keys a = -0.5: k(0) = 1, k(+-1) = k(+-2) = 0, k(0.5) = 0.5625, k(1.5) = -0.0625.
    assert cubic(np.array([0.0, 1.0, -1.0, 2.0, 0.5, -0.5, 1.5, 2.5])).tolist() == [
        1.0, 0.0, 0.0, 0.0, 0.5625, 0.5625, -0.0625, 0.0]


def test_upscale_by_two_weights_by_hand() -> None:
    # Output pixel 1 (1-based) maps to u = 1/2 + 0.5 (1 - 1/2) = 0.75; the non-zero taps are the 1-based input
    # positions -1, 0, 1, 2 at distances 1.75, 0.75, -0.25, -1.25, so the weights are Keys' k(1.75) = -0.0234375,
    # k(0.75) = 0.2265625, k(0.25) = 0.8671875, k(1.25) = -0.0703125 (sum 1). Symmetric padding mirrors -1 -> 2
    # and 0 -> 1 (1-based), i.e. 0-based indices 1, 0, 0, 1.
    weights, indices = contributions(5, 10, 2.0)
    assert np.allclose(weights[0], [-0.0234375, 0.2265625, 0.8671875, -0.0703125], atol=1e-12)
    assert indices[0].tolist() == [1, 0, 0, 1]


def test_known_properties() -> None:
    constant = np.full((9, 11, 3), 77.0)
    assert np.allclose(imresize(constant, 1 / 4), 77.0) and np.allclose(imresize(constant, 3), 77.0)
    rng = np.random.default_rng(0)
    image = rng.uniform(0, 255, size=(10, 12))
    assert np.allclose(imresize(image, 1.0), image)
    assert imresize(image, 1 / 4).shape == (3, 3) and imresize(image, 1 / 3).shape == (4, 4)
    ramp = np.tile(np.arange(40, dtype=np.float64), (8, 1))  # cubic convolution reproduces linear functions
    down = imresize(ramp, 1 / 4)
    assert np.allclose(down[:, 2:-2], (np.arange(10) * 4 + 1.5)[2:-2])


def test_to_uint8_rounds_half_away_from_zero_and_clamps() -> None:
    assert to_uint8(np.array([-3.0, 0.49, 0.5, 1.5, 2.5, 254.5, 300.0])).tolist() == [0, 0, 1, 2, 3, 255, 255]


@pytest.mark.parametrize("scale,published", [(4, 28.43), (2, 33.69)])
def test_set5_bicubic_psnr_matches_published_numbers(scale: int, published: float) -> None:
    scores = []
    for path in sorted(SET5_DIR.glob("*.png")):
        hr = decode_rgb(path)
        hr = hr[: hr.shape[0] // scale * scale, : hr.shape[1] // scale * scale]
        up = to_uint8(imresize(imresize(hr, 1 / scale), scale))
        scores.append(psnr_y(hr, up, scale))
    assert abs(np.mean(scores) - published) < 0.005


def test_agrees_with_resize_right_where_sizes_divide() -> None:
    # resize-right (Shocher et al., an independent NumPy/PyTorch resizer, scripts/packages/training.pip) aligns
    # image centres, MATLAB aligns the first pixel: the two agree exactly when the scale divides the size.
    resize_right = pytest.importorskip("resize_right")
    rng = np.random.default_rng(1)
    image = rng.uniform(0, 255, size=(64, 48, 3))
    for scale in (1 / 4, 1 / 2, 2, 4):
        theirs = resize_right.resize(image, scale_factors=[scale, scale, 1], pad_mode="symmetric")
        assert np.allclose(imresize(image, scale), theirs, atol=1e-9)
