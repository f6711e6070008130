"""Writes tiny-dataset/ (two synthetic PNGs) and tiny-dataset-expected.json for the `binsr eval` CLI test.

The expected PSNR/SSIM come from a pipeline independent of the Swift code: the training code's NumPy port of MATLAB
imresize (training/binsr_train/data/imresize.py), NumPy BT.601 luma and scikit-image SSIM/PSNR. Run from the repository
root with the project venv: python Tests/Fixtures/evaluation/make_cli_fixture.py
The images are synthetic (no dataset content): a colour pattern whose size is not a multiple of 4 (mod-crop is
exercised) and a grayscale (mode L) image (the RGB replication is exercised).
"""

import json
import pathlib
import sys

import numpy as np
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

root = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(root / "training"))
from binsr_train.data.imresize import imresize, to_uint8  # noqa: E402

here = pathlib.Path(__file__).resolve().parent
out_dir = here / "tiny-dataset"
out_dir.mkdir(exist_ok=True)

rng = np.random.default_rng(5)
y, x = np.mgrid[0:86, 0:101]
colour = np.stack([128 + 100 * np.sin(x / 5.0) * np.cos(y / 7.0),
                   128 + 90 * np.sin((x + y) / 9.0),
                   128 + 80 * np.cos(x * y / 300.0)], axis=-1) + rng.normal(0, 6, size=(86, 101, 3))
colour = np.clip(np.round(colour), 0, 255).astype(np.uint8)
y, x = np.mgrid[0:96, 0:92]
gray = np.clip(np.round(120 + 90 * np.sin(x / 4.0 + y / 11.0) + rng.normal(0, 8, size=x.shape)), 0, 255)
gray = gray.astype(np.uint8)
Image.fromarray(colour, "RGB").save(out_dir / "pattern.png")
Image.fromarray(gray, "L").save(out_dir / "stripes.png")


def luma(rgb01):
    return 16 + 65.481 * rgb01[..., 0] + 128.553 * rgb01[..., 1] + 24.966 * rgb01[..., 2]


expected = {}
for scale in (2, 4):
    rows = []
    for name, img in (("pattern", colour), ("stripes", np.stack([gray] * 3, axis=-1))):
        hr = img.astype(np.float64) / 255
        h, w = hr.shape[0] // scale * scale, hr.shape[1] // scale * scale
        hr = hr[:h, :w]
        sr = to_uint8(imresize(imresize(hr, 1 / scale), scale) * 255).astype(np.float64) / 255
        ref = luma(hr)[scale:-scale, scale:-scale]
        tst = luma(sr)[scale:-scale, scale:-scale]
        rows.append({"name": name, "width": w, "height": h,
                     "psnr": float(peak_signal_noise_ratio(ref, tst, data_range=255)),
                     "ssim": float(structural_similarity(ref, tst, gaussian_weights=True, sigma=1.5,
                                                         use_sample_covariance=False, data_range=255))})
    expected[f"x{scale}"] = rows
(here / "tiny-dataset-expected.json").write_text(json.dumps(expected, indent=1) + "\n")
print(json.dumps(expected, indent=1))
