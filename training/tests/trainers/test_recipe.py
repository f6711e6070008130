"""Recipe options: the weight average's arithmetic, distillation's block pairing and gradients, the L2 loss."""

from __future__ import annotations

import pathlib

import pytest
import torch

from binsr_train.config import ConfigError, ModelConfig, TrainConfig
from binsr_train.losses.pixel import pixel_loss
from binsr_train.trainers.recipe import Distiller, WeightAverage
from binsr_train.trainers.trainer import Trainer


def test_weight_average_follows_the_recurrence_and_restores_the_raw_weights() -> None:
    model = torch.nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.fill_(1.0)
    average = WeightAverage(model, 0.9)
    expected = 1.0
    for value in (3.0, -1.0, 2.0):
        with torch.no_grad():
            model.weight.fill_(value)
        average.update(model)
        expected = 0.9 * expected + 0.1 * value
    assert torch.allclose(average.shadow["weight"], torch.full((1, 2), expected))
    with average.applied(model):
        assert torch.allclose(model.weight, torch.full((1, 2), expected))
    assert torch.equal(model.weight, torch.full((1, 2), 2.0))
    with pytest.raises(ValueError):
        WeightAverage(model, 1.0)


def test_distillation_pairs_blocks_evenly_and_vanishes_for_a_copy_of_the_teacher() -> None:
    torch.manual_seed(0)
    teacher = ModelConfig("srresnet", 2, 2, 8).build().eval()
    student = ModelConfig("srresnet", 2, 4, 8).build().eval()
    distiller = Distiller(teacher, student, 1.0, 0.5)
    assert distiller.pairs == [(1, 0), (3, 1)]
    x = torch.rand(1, 3, 12, 12)
    assert float(distiller.loss(x, student(x)).detach()) > 0
    # A student equal to the teacher has zero distillation loss.
    twin = ModelConfig("srresnet", 2, 2, 8).build().eval()
    twin.load_state_dict(teacher.state_dict())
    same = Distiller(teacher, twin, 1.0, 0.5)
    assert float(same.loss(x, twin(x))) == pytest.approx(0.0, abs=1e-7)
    # The gradient reaches the student, never the teacher.
    student.train()
    distiller.loss(x, student(x)).backward()
    assert student.body[0].conv1.weight.grad is not None
    assert all(p.grad is None for p in teacher.parameters())


def test_l2_loss_is_the_mean_squared_error() -> None:
    out, target = torch.tensor([[1.0, 3.0]]), torch.tensor([[0.0, 1.0]])
    assert float(pixel_loss("l2", [out], [target])) == pytest.approx(2.5)


def test_trainer_with_average_and_distillation_exports_the_average(tiny_train_root: pathlib.Path,
                                                                   tmp_path: pathlib.Path) -> None:
    base = dict(patch=16, batch=2, folders=("Synthetic",), train_root=str(tiny_train_root), threads=1,
                monitor=False, warmup_iters=0, runs_dir=str(tmp_path / "runs"), models_dir=str(tmp_path / "models"))
    teacher = Trainer(TrainConfig(name="teacher", model=ModelConfig("srresnet", 2, 1, 8), **base), log=lambda m: None)
    teacher.train(1e-3, steps=1)
    teacher.finish_slice(always_export=True)
    config = TrainConfig(name="student", model=ModelConfig("srresnet", 2, 2, 8, "blocks"), ema_decay=0.5,
                         distill_from=str(tmp_path / "models" / "teacher.train.safetensors"), distill_blocks=1,
                         distill_feature_weight=0.1, **base)
    student = Trainer(config, log=lambda m: None)
    student.train(1e-3, steps=2)
    student.finish_slice(always_export=True)
    from safetensors.torch import load_file
    exported = load_file(str(tmp_path / "models" / "student.train.safetensors"))
    key = "body.0.conv1.weight"
    assert torch.allclose(exported[key], student.ema.shadow[key])
    assert not torch.allclose(exported[key], student.model.state_dict()[key].float())
    assert "EMA (decay 0.5)" in (tmp_path / "models" / "student.md").read_text()
    with pytest.raises(ConfigError):
        TrainConfig(name="x", model=ModelConfig("srresnet", 2, 2, 8), ema_decay=1.5)
    with pytest.raises(ConfigError):
        TrainConfig(name="x", model=ModelConfig("srresnet", 2, 2, 8), distill_from="a", distill_blocks=3)
