"""Training-recipe options beyond the paper's: an exponential moving average of the weights and knowledge
distillation from a real-weight teacher (issue 16's ablations; each is off unless its config key is set).

EMA: the shadow weights follow w_ema <- d * w_ema + (1 - d) * w after every optimizer step (BasicSR's `net_g_ema`);
validation and export use the shadow, training continues on the raw weights. Binary convolutions average their
latent real weights and alphas, and sign() is taken at export as always.

Distillation (real -> binary, as in BBCU's and others' KD baselines): the student also matches the teacher's output
(L1) and, optionally, the teacher's residual-block outputs (L1, feature terms). With S student and T teacher blocks,
teacher block k is matched to student block (k + 1) * S // T - 1, so a 16-block student follows an 8-block teacher
at every second block.
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn


class WeightAverage:
    """Exponential moving average of a model's floating-point parameters and buffers (other buffers are copied)."""

    def __init__(self, model: nn.Module, decay: float):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA decay must be in (0, 1), got {decay}")
        self.decay = decay
        self.shadow = {k: v.detach().float().clone() if v.is_floating_point() else v.detach().clone()
                       for k, v in model.state_dict().items()}

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        for key, value in model.state_dict().items():
            shadow = self.shadow[key]
            if value.is_floating_point():
                shadow.mul_(self.decay).add_(value.detach().float(), alpha=1.0 - self.decay)
            else:
                shadow.copy_(value)

    @contextlib.contextmanager
    def applied(self, model: nn.Module):
        """The model carries the averaged weights inside the block and its own weights again after it."""
        backup = {k: v.detach().clone() for k, v in model.state_dict().items()}
        model.load_state_dict(self.shadow, strict=True)
        try:
            yield model
        finally:
            model.load_state_dict(backup, strict=True)


class Distiller:
    """The distillation terms of a student SRResNet against a frozen real-weight teacher of the same scale."""

    def __init__(self, teacher: nn.Module, student: nn.Module, output_weight: float, feature_weight: float):
        if output_weight < 0 or feature_weight < 0 or output_weight + feature_weight == 0:
            raise ValueError("distillation weights must be non-negative and not both zero")
        self.teacher = teacher.eval()
        for p in self.teacher.parameters():
            p.requires_grad_(False)
        self.output_weight, self.feature_weight = output_weight, feature_weight
        self._student_features: dict[int, torch.Tensor] = {}
        self._teacher_features: dict[int, torch.Tensor] = {}
        s_blocks, t_blocks = len(student.body), len(teacher.body)
        if t_blocks > s_blocks:
            raise ValueError(f"teacher has more blocks ({t_blocks}) than the student ({s_blocks})")
        self.pairs = [((k + 1) * s_blocks // t_blocks - 1, k) for k in range(t_blocks)]
        if feature_weight > 0:
            for s_index, t_index in self.pairs:
                student.body[s_index].register_forward_hook(self._keep(self._student_features, t_index))
                teacher.body[t_index].register_forward_hook(self._keep(self._teacher_features, t_index))

    @staticmethod
    def _keep(store: dict[int, torch.Tensor], key: int):
        def hook(_module, _inputs, output):
            store[key] = output
        return hook

    def loss(self, x: torch.Tensor, student_output: torch.Tensor) -> torch.Tensor:
        """Call right after the student's forward on x (the hooks hold its block outputs)."""
        with torch.no_grad():
            teacher_output = self.teacher(x)
        total = self.output_weight * (student_output.float() - teacher_output.float()).abs().mean()
        if self.feature_weight > 0:
            terms = [(self._student_features[k].float() - self._teacher_features[k].float()).abs().mean()
                     for _, k in self.pairs]
            total = total + self.feature_weight * torch.stack(terms).mean()
        self._student_features.clear()
        self._teacher_features.clear()
        return total
