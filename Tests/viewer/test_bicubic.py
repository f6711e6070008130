"""The viewer's server-side bicubic baseline (POST /viewer/bicubic) against two independent references.

1. The training pipeline's MATLAB `imresize` port (training/binsr_train/data/imresize.py, checked bit-exact against a
   shared MATLAB vector by its own tests): the whole image, borders included.
2. Pillow: its BICUBIC filter is the same Keys cubic (a = -0.5) with the same pixel-centre mapping for upscaling; on
   mode "F" images it works in floating point, like ours. It renormalises the kernel at the border where MATLAB
   mirrors the image, so that comparison leaves out a border of 2 input pixels.
"""

import io
import sys
import urllib.request

import numpy as np
import pytest
from PIL import Image
from conftest import REPO


def bicubic(server, png_bytes, scale):
    request = urllib.request.Request(f"{server['base']}/viewer/bicubic?scale={scale}", data=png_bytes,
                                     method="POST", headers={"Content-Type": "image/png"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["X-Model"] == f"bicubic-x{scale}"
        return np.asarray(Image.open(io.BytesIO(response.read())).convert("RGB"), dtype=np.int32)


def random_png(seed):
    source = np.random.default_rng(seed).integers(0, 256, size=(19, 23, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(source).save(buffer, format="PNG")
    return source, buffer.getvalue()


@pytest.mark.parametrize("scale", [2, 4])
def test_bicubic_matches_the_matlab_port_everywhere(server, scale):
    sys.path.insert(0, str(REPO / "training"))
    try:
        from binsr_train.data.imresize import imresize, to_uint8
    finally:
        sys.path.pop(0)
    source, png = random_png(11)
    ours = bicubic(server, png, scale)
    expected = to_uint8(imresize(source, scale)).astype(np.int32)
    assert ours.shape == expected.shape
    # Ours is Float32 and rounds once when encoding; the port is float64: at most one step of 255 apart.
    assert np.abs(ours - expected).max() <= 1


@pytest.mark.parametrize("scale", [2, 4])
def test_bicubic_matches_pillow_away_from_the_border(server, scale):
    source, png = random_png(7)
    ours = bicubic(server, png, scale)
    assert ours.shape == (19 * scale, 23 * scale, 3)

    expected = np.stack([
        np.asarray(Image.fromarray(source[:, :, c].astype(np.float32) / 255, mode="F")
                   .resize((23 * scale, 19 * scale), Image.BICUBIC))
        for c in range(3)], axis=-1)
    expected = np.rint(np.clip(expected, 0, 1) * 255).astype(np.int32)
    border = 2 * scale
    inner = (slice(border, -border), slice(border, -border))
    difference = np.abs(ours[inner] - expected[inner])
    assert difference.max() <= 1, f"max difference {difference.max()} of 255"
    # Not trivially equal to nearest-neighbour: bicubic creates new values between the source pixels.
    nearest = np.repeat(np.repeat(source.astype(np.int32), scale, axis=0), scale, axis=1)
    assert np.abs(ours[inner] - nearest[inner]).mean() > 5
