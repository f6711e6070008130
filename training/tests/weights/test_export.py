"""Export: bit order against the format document, BN folding equivalence, strict loading, atomic files."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors.numpy import load_file
from torch import nn

from binsr_train.config import ModelConfig
from binsr_train.weights.export import (ExportError, export_model, export_tensors, load_state_into, pack_signs,
                                save_train_state, unpack_signs)
from binsr_train.weights.golden import GOLDEN_CONFIGS, make_golden, randomise
from binsr_train.weights.reference import FormatReader


def test_bit_order_is_least_significant_bit_first_with_one_meaning_plus_one() -> None:
    # Row 0: signs + - - + + + - - + (9 = 1*3*3 weights) -> bits 1,0,0,1,1,1,0,0 | 1 -> 0x39, 0x01 (pad bits 0).
    row0 = [1.0, -1.0, -2.0, 0.5, 0.0, 3.0, -0.1, -5.0, 2.0]
    row1 = [-1.0] * 8 + [1.0]
    weight = np.array([row0, row1], dtype=np.float32).reshape(2, 1, 3, 3)
    packed = pack_signs(weight)
    assert packed.dtype == np.uint8 and packed.shape == (2, 2)
    assert packed.tolist() == [[0x39, 0x01], [0x00, 0x01]]


def test_bit_order_follows_in_ky_kx_row_major() -> None:
    weight = -np.ones((1, 2, 3, 3), dtype=np.float32)
    weight[0, 1, 0, 2] = 1.0  # index j = 1*9 + 0*3 + 2 = 11 -> byte 1, bit 3
    assert pack_signs(weight).tolist() == [[0x00, 0x08, 0x00]]


def test_pack_unpack_round_trip_on_odd_sizes() -> None:
    rng = np.random.default_rng(3)
    weight = rng.normal(size=(5, 7, 3, 3)).astype(np.float32)
    weight[0, 0, 0, 0] = 0.0
    signs = unpack_signs(pack_signs(weight), weight.shape)
    assert np.array_equal(signs, np.where(weight >= 0, 1.0, -1.0))
    assert pack_signs(weight).shape == (5, 8)  # ceil(63 / 8)


@pytest.mark.parametrize("name", sorted(GOLDEN_CONFIGS))
def test_folded_export_matches_unfolded_model(name: str) -> None:
    model, x, outputs = make_golden(name, GOLDEN_CONFIGS[name])
    tensors, _ = export_tensors(model.eval())
    config = GOLDEN_CONFIGS[name]
    meta = {"format": "binsr-weights", "format_version": "1", "arch": config.arch, "scale": str(config.scale),
            "blocks": str(config.blocks), "binary_layers": json.dumps(
                [n for n, t in tensors.items() if n.endswith(".weight_bits")]).replace(".weight_bits", "")}
    with torch.no_grad():
        folded = FormatReader(tensors, meta).forward(x)
        unfolded = model(x)
    unfolded = unfolded if isinstance(unfolded, list) else [unfolded]
    for a, b in zip(folded, unfolded):
        assert float((a.float() - b).abs().max()) < 1e-5
    assert float((folded[-1].float() - outputs[-1]).abs().max()) < 1e-5


def test_folding_changes_weights_so_the_test_above_is_not_vacuous() -> None:
    model, _, _ = make_golden("srresnet_x2_b1_c8_real", GOLDEN_CONFIGS["srresnet_x2_b1_c8_real"])
    tensors, _ = export_tensors(model.eval())
    raw = model.body[0].conv1.weight.detach().numpy()
    assert not np.allclose(tensors["body.0.conv1.weight"], raw)
    assert np.any(tensors["body.0.conv1.bias"] != 0)


def test_committed_golden_files_match_a_fresh_export() -> None:
    directory = pathlib.Path(__file__).resolve().parents[3] / "Tests" / "Fixtures" / "golden"
    for name, config in GOLDEN_CONFIGS.items():
        model, x, outputs = make_golden(name, config)
        io = load_file(str(directory / f"{name}.io.safetensors"))
        assert np.array_equal(io["input"], x[0].numpy())
        assert np.allclose(io["output"], outputs[-1][0].numpy(), atol=1e-6)
        committed = load_file(str(directory / f"{name}.safetensors"))
        fresh, _ = export_tensors(model.eval())
        assert set(committed) == set(fresh)
        assert all(np.allclose(committed[k], fresh[k], atol=1e-6) for k in fresh)
        assert (directory / f"{name}.safetensors").stat().st_size < 200_000


def test_metadata_and_dtypes(tmp_path: pathlib.Path) -> None:
    config = ModelConfig("srresnet", 2, 1, 8, "blocks", "deterministic")
    export_model(config.build(), config, tmp_path / "m.safetensors", {"iterations": "5"})
    with safe_open(str(tmp_path / "m.safetensors"), "np") as handle:
        meta = handle.metadata()
        assert handle.get_tensor("body.0.conv1.shape").dtype == np.int64
        assert handle.get_tensor("body.0.conv1.weight_bits").dtype == np.uint8
        assert handle.get_tensor("head.conv.weight").dtype == np.float32
    assert meta["format"] == "binsr-weights" and meta["format_version"] == "1"
    assert meta["binary"] == "true" and meta["alpha_mode"] == "deterministic" and meta["iterations"] == "5"
    assert json.loads(meta["binary_layers"]) == ["body.0.conv1", "body.0.conv2"]
    assert list(tmp_path.iterdir()) == [tmp_path / "m.safetensors"]  # no temporary file left behind


def test_layers_outside_the_format_are_rejected() -> None:
    with pytest.raises(ExportError, match="Linear"):
        export_tensors(nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.Linear(3, 3)))
    with pytest.raises(ExportError, match="stride"):
        export_tensors(nn.Sequential(nn.Conv2d(3, 3, 3, stride=2, padding=1)))


def test_train_state_round_trip_and_strict_loading(tmp_path: pathlib.Path) -> None:
    config = ModelConfig("srresnet", 4, 1, 8, "blocks")
    model = config.build()
    randomise(model, torch.Generator().manual_seed(1))
    save_train_state(model, config, tmp_path / "s.safetensors", {"iterations": "3"})
    restored = config.build()
    assert load_state_into(restored, tmp_path / "s.safetensors") == []
    for (k, a), (_, b) in zip(model.state_dict().items(), restored.state_dict().items()):
        assert torch.equal(a, b), k
    with pytest.raises(KeyError, match="missing"):
        load_state_into(ModelConfig("srresnet", 4, 2, 8, "blocks").build(), tmp_path / "s.safetensors")
    with pytest.raises(ValueError, match="shape"):
        load_state_into(ModelConfig("srresnet", 4, 1, 16, "blocks").build(), tmp_path / "s.safetensors")


def test_binary_model_started_from_real_gets_alpha_equal_to_mean_abs_weight(tmp_path: pathlib.Path) -> None:
    real = ModelConfig("srresnet", 4, 1, 8, "none")
    model = real.build()
    save_train_state(model, real, tmp_path / "real.safetensors", {})
    binary = ModelConfig("srresnet", 4, 1, 8, "blocks").build()
    missing = load_state_into(binary, tmp_path / "real.safetensors")
    assert missing == ["body.0.conv1.alpha", "body.0.conv2.alpha"]
    w = model.body[0].conv1.weight.detach()
    assert torch.allclose(binary.body[0].conv1.alpha.detach(), w.abs().mean(dim=(1, 2, 3)))
    x2 = ModelConfig("srresnet", 2, 1, 8, "none").build()
    load_state_into(x2, tmp_path / "real.safetensors", skip_prefixes=("upsample.1.",))
    assert torch.equal(x2.tail.conv.weight, model.tail.conv.weight)
