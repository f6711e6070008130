"""A training run's progress: what the trainer counts and the model card reports (below both, so neither imports
the other for it)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Progress:
    """What survives a restart (stored in the runs checkpoint and, partly, in the train-state metadata)."""

    iterations: int = 0
    seconds: float = 0.0
    samples: int = 0  # HR patches seen (iterations mix batch sizes across sessions; budgets compare in samples)
    pixels: int = 0  # HR pixels seen (patch sizes change too)
    slices: int = 0
    best_psnr: float = -math.inf  # of the exported state, on the held-out validation images; NaN: not measured yet
    monitor_set: str = "validation"  # what best_psnr was measured on (checkpoints before session 6: Set5)
    last_loss: float = math.nan
