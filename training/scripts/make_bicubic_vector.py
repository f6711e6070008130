"""Writes Tests/Fixtures/bicubic/vector.json, the shared MATLAB-bicubic test vector for the Swift evaluation code.

Run from training/: python scripts/make_bicubic_vector.py
A deterministic 17x13 (width x height) RGB uint8 image (numpy seed 20190616), its imresize by 1/2 and 1/4 and the
x2 / x4 upscales of those LR arrays, all unrounded float64 on the 0..255 scale, nested [h][w][c].
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from binsr_train.data.imresize import imresize  # noqa: E402

WIDTH = 17
HEIGHT = 13
SEED = 20190616
OUTPUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "bicubic" / "vector.json"


def make_vector() -> dict[str, object]:
    """Builds the vector's content; the test suite recomputes it and compares against the committed file."""
    rng = np.random.default_rng(SEED)
    hr = rng.integers(0, 256, size=(HEIGHT, WIDTH, 3), dtype=np.uint8)
    down_x2 = imresize(hr, 1 / 2)
    down_x4 = imresize(hr, 1 / 4)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "seed": SEED,
        "hr": hr.astype(int).tolist(),
        "down_x2": down_x2.tolist(),
        "down_x4": down_x4.tolist(),
        "up_x2": imresize(down_x2, 2).tolist(),
        "up_x4": imresize(down_x4, 4).tolist(),
    }


def main() -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(make_vector()) + "\n")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
