"""BRISQUE (Mittal, Moorthy, Bovik, IEEE TIP 21(12), 2012), a no-reference quality score, from the `brisque` PyPI
package (0.2.0), whose SVM regressor and feature ranges ship inside it (brisque/models/svm.txt, normalize.pickle):
nothing is downloaded. Lower is better (about 0-100; a pristine photograph scores near 0-20, a blurred one 50+).

That package's model is its own (trained with its own feature code on its own data), not the LIVE release's
`allmodel` that MATLAB's brisque uses, so its values are comparable within this table only.

One shim: brisque 0.2.0 divides a sum by a shape tuple, so some of its features are 1-element arrays, and NumPy 2.4
refuses float() of those (a scalar conversion of an ndim > 0 array, deprecated since NumPy 1.25). `scale_features`
flattens them to scalars first; the numbers are the package's own.
"""
import numpy as np
from brisque import BRISQUE


class _Brisque(BRISQUE):
    def scale_features(self, features):
        scalars = [np.asarray(feature, dtype=np.float64).item() for feature in features]
        return super().scale_features(np.array(scalars, dtype=object))


_MODEL = None


def brisque(image: np.ndarray) -> float:
    """BRISQUE of one uint8 RGB (or gray) image (lower = better). Loads the package's SVM once."""
    global _MODEL
    if _MODEL is None:
        _MODEL = _Brisque(url=False)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return float(_MODEL.score(image))
