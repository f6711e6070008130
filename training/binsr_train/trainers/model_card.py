"""models/<name>.md: what a shipped weight file is, how it was trained and what the validation monitor measured."""

from __future__ import annotations

import datetime
import os
import pathlib

from binsr_train.config import TrainConfig
from binsr_train.data.training_images import list_training_images, split_validation
from binsr_train.trainers.progress import Progress


def _held_out(config: TrainConfig) -> int:
    return len(split_validation(list_training_images(pathlib.Path(config.train_root), config.folders),
                                config.validation_stride)[1])


def write_model_card(path: pathlib.Path, config: TrainConfig, progress: Progress, psnr: float,
                     provenance: str, bf16: bool = False) -> None:
    m = config.model
    binary = {"none": "real (fp32) weights",
              "blocks": f"binary residual-block convolutions ({m.alpha_mode} alpha), other layers real",
              "all": f"every convolution binary ({m.alpha_mode} alpha)"}[m.binarize]
    skip = f", without {', '.join(config.init_skip)}" if config.init_skip else ""
    factor = f" (binary latent weights x{config.binary_lr_factor:g})" if m.binary else ""
    recipe = (f", weights exported as an EMA (decay {config.ema_decay:g})" if config.ema_decay > 0 else "") + (
        f", distilled from {config.distill_from} ({config.distill_blocks} real blocks; output x"
        f"{config.distill_output_weight:g}, features x{config.distill_feature_weight:g})" if config.distill_from else "")
    text = f"""# {config.name}

- Architecture: {m.arch}, x{m.scale}, {m.blocks} residual blocks{' per level' if m.arch == 'lapsrn' else ''},
  {m.channels} channels; {binary}. Layer graph: docs/weights-format.md.
- Files: `{config.name}.safetensors` (binsr weight format, BN folded, for the Swift engine) and
  `{config.name}.train.safetensors` (fp32 training state_dict, to resume: see docs/training.md).
- Data: HR folders {', '.join(config.folders)} under {config.train_root} (never Set5/Set14); random
  {config.patch}x{config.patch} HR crops, flips and 90-degree rotations; LR = MATLAB bicubic imresize, rounded to uint8.
- Training: Adam, {config.loss} loss, batch {config.batch}, peak LR {config.lr:g}{factor}, cosine warm restarts{', bf16 autocast' if bf16 else ''}{recipe};
  {progress.iterations} iterations = {progress.samples} HR patches = {progress.pixels / 1e6:.0f} M HR pixels seen
  (batch and patch grew between sessions, so compare budgets in samples), {progress.seconds / 60:.1f} minutes of
  training (CPU compute time, wall clock on a GPU); last loss {progress.last_loss:.5f}.
- Started from: {config.init_from or 'random initialisation'}{skip} (iterations count this model's own steps only).
- Validation x{m.scale} Y-PSNR (border {m.scale}) on {_held_out(config)} training images held out of training (centre
  192x192 crops; binsr_train.data.training_images.split_validation), the **Python monitor** that selects which
  checkpoint is exported (never Set5/Set14; the official numbers come from `binsr eval`): {psnr:.3f} dB.
- Exported: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}.
- Provenance metadata: `{provenance}`
"""
    # History lines (added by hand or by scripts: which machine and data each phase used) outlive re-exports.
    if path.exists():
        text += "".join(line + "\n" for line in path.read_text().splitlines() if line.startswith("- History:"))
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)
