"""Full-size random SRResNet/LapSRN weight files for timing when trained ones are not at hand.

Run: .venv/bin/python benchmarks/make_bench_weights.py OUT_DIR
Writes OUT_DIR/<arch>_x<scale>_<real|binary>.safetensors (16 blocks, 64 channels; LapSRN 5 blocks per level) in
the docs/weights-format.md layout, the names `binsr bench --models-dir OUT_DIR` and pytorch_bench.py look for.
Timing does not depend on the values, only on the shapes.
"""
import os
import sys

import numpy as np
from safetensors.numpy import save_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "engine"))
from make_fixtures import build_weights  # noqa: E402

if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for arch, blocks in (("srresnet", 16), ("lapsrn", 5)):
        for scale in (2, 4):
            for binary in (False, True):
                tensors, meta = build_weights(arch, scale, blocks, 64, binary, np.random.default_rng(scale))
                meta["train_data"] = "random (benchmark shapes only)"
                name = f"{arch}_x{scale}_{'binary' if binary else 'real'}.safetensors"
                save_file(tensors, os.path.join(out, name), metadata=meta)
                print(os.path.join(out, name))
