"""Writes metrics.json: PSNR and SSIM of small planes computed by scikit-image, an implementation independent of
the Swift Evaluation module (run with the project venv: python make_metrics_fixture.py; needs scikit-image, pinned in
scripts/packages/eval.pip).

SSIM settings are Wang et al.'s (ssim_index.m): Gaussian window sigma 1.5 (skimage truncates at 3.5 sigma, giving
the 11x11 window), K1 = 0.01, K2 = 0.03, L = 255, population covariances, and the mean over the 'valid' part of the
map (skimage crops (11 - 1) / 2 pixels from each side of the map, which equals 'valid' filtering).
"""

import json
import pathlib

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

rng = np.random.default_rng(2019)
cases = []


def add(name, ref, test):
    ssim = structural_similarity(ref, test, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                 data_range=255)
    psnr = peak_signal_noise_ratio(ref, test, data_range=255)
    cases.append({"name": name, "width": ref.shape[1], "height": ref.shape[0], "reference": ref.ravel().tolist(),
                  "test": test.ravel().tolist(), "psnr": float(psnr), "ssim": float(ssim)})


# Uniform random values plus Gaussian noise, clipped to 0...255.
a = rng.uniform(16, 235, size=(19, 23))
add("noise", a, np.clip(a + rng.normal(0, 20, size=a.shape), 0, 255))
# A smooth gradient with texture and mild distortion: SSIM near 0.9, non-square, odd sizes.
y, x = np.mgrid[0:27, 0:31]
smooth = 16 + 200 * (x / 30.0) * (0.5 + 0.5 * np.sin(y / 4.0)) + rng.normal(0, 3, size=x.shape)
add("gradient", smooth, smooth + rng.normal(0, 4, size=smooth.shape) + 1.5)
# Unrounded luma-like values on both sides with a brightness shift and contrast change.
b = rng.uniform(30, 220, size=(16, 40))
add("contrast", b, 0.8 * b + 30)

out = pathlib.Path(__file__).with_name("metrics.json")
out.write_text(json.dumps({"generator": "scikit-image structural_similarity / peak_signal_noise_ratio",
                           "cases": cases}) + "\n")
print(f"wrote {out}")
