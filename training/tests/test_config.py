"""Configurations: every committed config loads and starts with its run command; mistakes are errors."""

from __future__ import annotations

import pathlib

import pytest

from binsr_train.config import ConfigError, ModelConfig, TrainConfig, from_dict, load_train_config
from binsr_train.trainers.campaign import load_campaign

CONFIGS = pathlib.Path(__file__).resolve().parents[1] / "configs"


def test_every_config_starts_with_its_run_command_and_loads() -> None:
    files = sorted(CONFIGS.glob("*.toml"))
    assert len(files) >= 7
    for path in files:
        assert path.read_text().startswith("# run: "), path
        # Ablations and SRGAN fine-tunes write to folders of their own under other (engine) names.
        if not path.name.startswith(("ablation_", "srgan_", "campaign")):
            assert load_train_config(path).name == path.stem
    shipped = {f"{a}_x{s}_{k}" for a, s in (("srresnet", 4), ("srresnet", 2), ("lapsrn", 4)) for k in ("real", "binary")}
    campaigns = sorted(CONFIGS.glob("campaign*.toml"))
    assert campaigns
    for path in campaigns:
        campaign, configs = load_campaign(path)
        # A session's campaign trains shipped models or candidates for them (a deeper model exported beside them).
        candidates = {name for name, config in configs.items() if config.models_dir.endswith("candidates")}
        assert configs and set(configs) - candidates <= shipped, path
    assert all((CONFIGS / f"{name}.toml").exists() for name in shipped)


def test_unknown_keys_and_wrong_types_are_rejected() -> None:
    with pytest.raises(ConfigError, match="unknown keys"):
        from_dict(TrainConfig, {"name": "a", "model": {"arch": "srresnet", "scale": 4, "blocks": 1},
                                "learning_rate": 1e-4})
    with pytest.raises(ConfigError, match="unknown keys"):
        from_dict(ModelConfig, {"arch": "srresnet", "scale": 4, "blocks": 1, "chanels": 8})
    with pytest.raises(ConfigError, match="expected int"):
        from_dict(ModelConfig, {"arch": "srresnet", "scale": "4", "blocks": 1})
    with pytest.raises(ConfigError, match="scale"):
        ModelConfig("srresnet", 3, 1)
    with pytest.raises(ConfigError, match="binarize"):
        ModelConfig("lapsrn", 4, 1, binarize="yes")
    with pytest.raises(ConfigError, match="patch"):
        TrainConfig("a", ModelConfig("srresnet", 4, 1), patch=90)


def test_overrides_replace_top_level_keys() -> None:
    config = load_train_config(CONFIGS / "srresnet_x4_real.toml", {"iterations": 7, "lr": 1e-5})
    assert config.iterations == 7 and config.lr == 1e-5 and config.model.scale == 4
