"""Training precision by measurement (binsr_train.trainers.precision); growing a deeper model from a shallower one."""

from __future__ import annotations

import pathlib

import pytest
import torch

from binsr_train.config import ModelConfig
from binsr_train.trainers import precision
from binsr_train.weights.export import load_state_into, save_train_state


def fake_timer(fp32: float, bf16: float):
    calls = []

    def time_pass(use_bf16: bool) -> float:
        calls.append(use_bf16)
        return bf16 if use_bf16 else fp32

    return time_pass, calls


@pytest.mark.parametrize("fp32,bf16,expected", [(1.1, 0.67, True), (0.61, 0.92, False), (1.0, 0.97, False)])
def test_auto_keeps_the_measurably_faster_mode(fp32: float, bf16: float, expected: bool) -> None:
    time_pass, calls = fake_timer(fp32, bf16)
    chosen, medians = precision.choose_bf16("auto", ("test", fp32, bf16), time_pass, repeats=3, log=lambda _: None)
    assert chosen is expected  # a tie (within 5%) goes to fp32, which costs no accuracy
    assert medians == {"fp32": fp32, "bf16": bf16}
    assert calls.count(True) == calls.count(False) == 4  # one warm-up and three timed passes each, interleaved


def test_auto_measures_once_per_workload() -> None:
    time_pass, calls = fake_timer(2.0, 1.0)
    key = ("memo", 1)
    precision.choose_bf16("auto", key, time_pass, log=lambda _: None)
    precision.choose_bf16("auto", key, time_pass, log=lambda _: None)
    assert len(calls) == 8


def test_explicit_modes_do_not_measure_and_unknown_ones_fail() -> None:
    time_pass, calls = fake_timer(1.0, 2.0)
    assert precision.choose_bf16("bf16", ("x",), time_pass)[0] is True
    assert precision.choose_bf16("fp32", ("x",), time_pass)[0] is False
    assert calls == []
    with pytest.raises(ValueError):
        precision.choose_bf16("fp16", ("x",), time_pass)


@pytest.mark.parametrize("binarize", ["blocks", "none"])
def test_grown_model_computes_what_the_shallower_one_did(tmp_path: pathlib.Path, binarize: str) -> None:
    torch.manual_seed(0)
    small_config = ModelConfig(arch="srresnet", scale=2, blocks=2, channels=8, binarize=binarize)
    small = small_config.build()
    for p in small.parameters():  # non-trivial BN statistics too
        torch.nn.init.normal_(p, std=0.2) if p.dim() > 1 else torch.nn.init.uniform_(p, 0.5, 1.5)
    small.eval()
    path = tmp_path / "small.train.safetensors"
    save_train_state(small, small_config, path, {})
    big = ModelConfig(arch="srresnet", scale=2, blocks=4, channels=8, binarize=binarize).build().eval()
    with pytest.raises(KeyError):
        load_state_into(big, path)  # without grow, missing blocks are an error
    missing = load_state_into(big, path, grow=True)
    assert any(k.startswith("body.3.") for k in missing)
    x = torch.rand(1, 3, 12, 12)
    with torch.no_grad():
        assert torch.allclose(big(x), small(x), atol=1e-6)
    assert torch.count_nonzero(big.body[2].bn2.weight) == 0  # the new blocks start as the identity
