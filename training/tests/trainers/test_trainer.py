"""Training: a 2-step smoke run with export, resume from the exported train state, DDP with 2 gloo processes."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file

from binsr_train.config import ModelConfig, TrainConfig
from binsr_train.trainers.trainer import Trainer
from binsr_train.weights.export import load_state_into

TRAINING = pathlib.Path(__file__).resolve().parents[2]


def _config(root: pathlib.Path, tmp: pathlib.Path, model: ModelConfig, **changes) -> TrainConfig:
    values = dict(name="smoke", model=model, patch=16, batch=2, iterations=2, folders=("Synthetic",),
                  train_root=str(root), runs_dir=str(tmp / "runs"), models_dir=str(tmp / "models"), threads=1,
                  monitor=False, warmup_iters=0)
    values.update(changes)
    return TrainConfig(**values)


def test_two_step_training_run_exports_complete_files(tiny_train_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    trainer = Trainer(_config(tiny_train_root, tmp_path, ModelConfig("srresnet", 4, 1, 8, "blocks")),
                      log=lambda m: None)
    before = trainer.model.body[0].conv1.weight.detach().clone()
    trainer.train(1e-2, steps=2)
    assert trainer.progress.iterations == 2
    assert not torch.equal(before, trainer.model.body[0].conv1.weight)
    trainer.finish_slice(always_export=True)
    models = tmp_path / "models"
    assert sorted(p.name for p in models.iterdir()) == ["smoke.md", "smoke.safetensors", "smoke.train.safetensors"]
    with safe_open(str(models / "smoke.safetensors"), "np") as handle:
        assert handle.metadata()["iterations"] == "2" and handle.metadata()["binary"] == "true"
    assert (tmp_path / "runs" / "smoke" / "checkpoint.pt").exists()


def test_resume_from_exported_train_state(tiny_train_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    model = ModelConfig("lapsrn", 4, 1, 8, "blocks")
    first = Trainer(_config(tiny_train_root, tmp_path, model, loss="charbonnier"), log=lambda m: None)
    first.train(1e-2, steps=2)
    first.finish_slice(always_export=True)
    # A new session has the shipped files but not runs/: it must start from models/<name>.train.safetensors.
    second = Trainer(_config(tiny_train_root, tmp_path, model, loss="charbonnier", runs_dir=str(tmp_path / "fresh")),
                     log=lambda m: None)
    for (k, a), (_, b) in zip(first.model.state_dict().items(), second.model.state_dict().items()):
        assert torch.equal(a, b), k
    assert second.progress.iterations == 2
    second.train(1e-2, steps=1)
    assert second.progress.iterations == 3


def test_binary_model_starts_from_real_train_state(tiny_train_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    real = Trainer(_config(tiny_train_root, tmp_path, ModelConfig("srresnet", 4, 1, 8), name="real"),
                   log=lambda m: None)
    real.train(1e-2, steps=1)
    real.finish_slice(always_export=True)
    binary = Trainer(_config(tiny_train_root, tmp_path, ModelConfig("srresnet", 4, 1, 8, "blocks"), name="bin",
                             init_from=str(tmp_path / "models" / "real.train.safetensors")), log=lambda m: None)
    assert torch.equal(binary.model.head.conv.weight, real.model.head.conv.weight)
    expected = real.model.body[0].conv2.weight.detach().abs().mean(dim=(1, 2, 3))
    assert torch.allclose(binary.model.body[0].conv2.alpha.detach(), expected)
    assert binary.optimizer.param_groups[1]["lr_scale"] == binary.config.binary_lr_factor


def test_ddp_with_two_gloo_processes(tiny_train_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    env = dict(os.environ, PYTHONPATH=f"{TRAINING}:{TRAINING / 'tests' / 'trainers'}", OMP_NUM_THREADS="1")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
               str(TRAINING / "tests" / "trainers" / "ddp_worker.py"), str(tiny_train_root), str(tmp_path)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=150)
    assert result.returncode == 0, result.stderr[-3000:]
    states = [load_file(str(tmp_path / f"rank{r}.safetensors")) for r in (0, 1)]
    for r in (0, 1):
        with safe_open(str(tmp_path / f"rank{r}.safetensors"), "pt") as handle:
            assert handle.metadata() == {"changed": "True", "world": "2"}
    parameters = [name for name, _ in ModelConfig("srresnet", 2, 1, 8, "blocks").build().named_parameters()]
    for key in parameters:
        # Gradients are all-reduced, so parameters stay identical. (BN running statistics are not compared: DDP
        # broadcasts rank 0's buffers at the start of each forward, after which each rank updates its own.)
        assert torch.equal(states[0][key], states[1][key]), key
    restored = ModelConfig("srresnet", 2, 1, 8, "blocks").build()
    assert load_state_into(restored, tmp_path / "models" / "ddp.train.safetensors") == []


def test_time_budget_and_export_without_monitor(tiny_train_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    # `train --seconds`: a compute-time budget instead of steps (gpu_sprint.sh); with the validation monitor off the
    # export must not record NaN as the best score (a later campaign would then never export again).
    trainer = Trainer(_config(tiny_train_root, tmp_path, ModelConfig("srresnet", 2, 1, 8)), log=lambda m: None)
    trainer.progress.best_psnr = 30.0
    trainer.train(1e-3, seconds=0.3)
    assert trainer.progress.iterations >= 1 and trainer.progress.seconds >= 0.25
    trainer.finish_slice(always_export=True)
    assert trainer.progress.best_psnr == 30.0
    assert (tmp_path / "models" / "smoke.safetensors").exists()


def test_monitor_selects_on_held_out_images_and_drops_set5_era_scores(tiny_train_root: pathlib.Path,
                                                                        tmp_path: pathlib.Path) -> None:
    # With stride 2, images 0 and 2 of the four are held out; the monitor's score is recorded under its own key.
    model = ModelConfig("srresnet", 2, 1, 8)
    config = _config(tiny_train_root, tmp_path, model, monitor=True, validation_stride=2)
    first = Trainer(config, log=lambda m: None)
    assert len(first.cache.images) == 2
    first.train(1e-3, steps=2)
    score = first.finish_slice()
    assert score is not None and 5 < score < 60 and first.progress.best_psnr == score
    with safe_open(str(tmp_path / "models" / "smoke.safetensors"), "np") as handle:
        assert handle.metadata()["psnr_val_python"] == f"{score:.3f}"
    assert "held out of training" in (tmp_path / "models" / "smoke.md").read_text()
    # A checkpoint from before the held-out monitor carries a Set5 best: it must be replaced by the exported
    # state's validation score, never compared against.
    path = tmp_path / "runs" / "smoke" / "checkpoint.pt"
    state = torch.load(path, weights_only=False)
    del state["progress"]["monitor_set"]
    state["progress"]["best_psnr"] = 99.0
    torch.save(state, path)
    resumed = Trainer(config, log=lambda m: None)
    assert abs(resumed.progress.best_psnr - score) < 1e-3
