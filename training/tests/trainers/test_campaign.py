"""Campaign schedules: malformed files are errors; finished slices are counted per campaign file."""

from __future__ import annotations

import pathlib

import pytest

from binsr_train.config import ConfigError
from binsr_train.trainers.campaign import CampaignProgress, load_campaign


def test_campaign_rejects_malformed_schedules(tmp_path: pathlib.Path) -> None:
    (tmp_path / "campaign.toml").write_text('decay = 0.5\n[[rounds]]\nslices = [{ model = "m", minute = 3 }]\n')
    with pytest.raises(ConfigError, match="unknown keys"):
        load_campaign(tmp_path / "campaign.toml")
    (tmp_path / "campaign.toml").write_text("decay = 0.5\n")
    with pytest.raises(ConfigError, match="rounds"):
        load_campaign(tmp_path / "campaign.toml")


def test_campaign_progress_counts_per_campaign_file(tmp_path: pathlib.Path) -> None:
    first = tmp_path / "a.toml"
    first.write_text('[[rounds]]\nslices = [{ model = "m", minutes = 1 }]\n')
    progress = CampaignProgress(tmp_path / "runs", first)
    assert progress.done("m") == 0
    progress.record("m")
    progress.record("m")
    assert CampaignProgress(tmp_path / "runs", first).done("m") == 2  # a restart sees it
    first.write_text('[[rounds]]\nslices = [{ model = "m", minutes = 2 }]\n')
    assert CampaignProgress(tmp_path / "runs", first).done("m") == 0  # a new schedule starts over
