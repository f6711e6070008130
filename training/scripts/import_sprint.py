"""Turn the slim checkpoints of scripts/gpu_sprint.sh into exported models here (run from training/).

    cat OUT/sprint.tar.* | tar -x -C /tmp/sprint_in
    ../.venv/bin/python scripts/import_sprint.py /tmp/sprint_in/slim STAGING_DIR [--folders '["BSDS500_test", "T91"]']

Each <name>.pt holds {"model": state_dict, "progress": Progress fields}. The model is rebuilt from
configs/<name>.toml, measured on Set5 (Python monitor) and exported with its model card into STAGING_DIR (SRGAN
generators into STAGING_DIR/srgan), not models/: compare with `binsr eval` first and copy only what improves.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import tomllib

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from binsr_train.config import load_train_config  # noqa: E402
from binsr_train.trainers.progress import Progress  # noqa: E402
from binsr_train.trainers.srgan import note_srgan  # noqa: E402
from binsr_train.trainers.trainer import Trainer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("slim", type=pathlib.Path, help="folder of <name>.pt slim checkpoints")
    parser.add_argument("staging", type=pathlib.Path, help="folder to export into")
    parser.add_argument("--folders", default='["BSDS500_test", "T91"]', help="the sprint's training folders (TOML)")
    parser.add_argument("--batch", type=int, default=32, help="the sprint's batch size")
    args = parser.parse_args()
    folders = tomllib.loads(f"v = {args.folders}")["v"]
    args.staging.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as runs:
        for path in sorted(args.slim.glob("*.pt")):
            name = path.stem
            config = load_train_config(
                pathlib.Path("configs") / f"{name}.toml",
                {"folders": folders, "batch": args.batch, "runs_dir": runs,
                 "models_dir": str(args.staging / "srgan" if name.startswith("srgan_") else args.staging)})
            state = torch.load(path, map_location="cpu", weights_only=False)
            trainer = Trainer(config, cache=object(), log=print)  # the cache is only read by training steps
            trainer.model.load_state_dict(state["model"], strict=True)
            trainer.progress = Progress(**state["progress"])
            trainer.progress.best_psnr = -float("inf")  # export whatever the monitor says; binsr eval decides
            trainer.finish_slice(always_export=True)
            if name.startswith("srgan_"):  # its GAN steps only: it started from init_from, not a train state
                card = pathlib.Path(config.models_dir) / f"{config.name}.md"
                note_srgan(card, trainer.progress.iterations, config.lr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
