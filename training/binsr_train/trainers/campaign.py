"""A training campaign: several models trained in time slices, one after another, until the process is killed.

Each slice builds the model's Trainer (resuming its runs/ checkpoint, else its shipped models/ train state, else its
init_from), trains for the slice's minutes on one cosine (warm restarts: the peak LR of a model's k-th slice is
lr * decay^k, floored at lr * min_peak_ratio), then checkpoints, measures the held-out validation images (Python
monitor) and exports when the model improved. After the last round the last round repeats. Time slicing gives every model weights early and
then spends the remaining time on the priority ones.
"""

from __future__ import annotations

import collections
import hashlib
import json
import pathlib
import sys
import time
import tomllib
from dataclasses import dataclass


from binsr_train.config import ConfigError, TrainConfig, from_dict, load_train_config
from binsr_train.trainers.trainer import Trainer


@dataclass(frozen=True)
class Slice:
    """Train `model` (a config file name in the campaign's folder, without .toml) for `minutes`."""

    model: str
    minutes: float


@dataclass(frozen=True)
class CampaignConfig:
    """The campaign schedule.

    Args:
        rounds: lists of slices, run in order; the last one repeats until the process is killed.
        decay: peak-LR multiplier per completed slice of the same model.
        min_peak_ratio: the peak LR never falls below lr * min_peak_ratio.
        repeat_last: repeat the last round until killed; false ends the campaign after it (so a queue of other
            jobs can follow it).
    """

    rounds: tuple[tuple[Slice, ...], ...]
    decay: float = 0.6
    min_peak_ratio: float = 0.1
    repeat_last: bool = True


def load_campaign(path: pathlib.Path) -> tuple[CampaignConfig, dict[str, TrainConfig]]:
    with open(path, "rb") as handle:
        values = tomllib.load(handle)
    rounds_raw = values.pop("rounds", None)
    if not isinstance(rounds_raw, list) or not rounds_raw:
        raise ConfigError(f"{path}: 'rounds' must be a non-empty list of slice lists")
    if not all(isinstance(r, dict) and set(r) == {"slices"} for r in rounds_raw):
        raise ConfigError(f"{path}: each [[rounds]] table must hold exactly one key, 'slices'")
    rounds = tuple(tuple(from_dict(Slice, s, f"{path}.rounds") for s in r["slices"]) for r in rounds_raw)
    campaign = from_dict(CampaignConfig, values | {"rounds": []}, str(path))
    campaign = CampaignConfig(rounds, campaign.decay, campaign.min_peak_ratio, campaign.repeat_last)
    names = {s.model for r in rounds for s in r}
    configs = {name: load_train_config(path.parent / f"{name}.toml") for name in sorted(names)}
    return campaign, configs


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


class CampaignProgress:
    """Slices finished per model under one campaign file, kept in runs/campaign_progress.json by the file's content
    hash: a restarted campaign skips what it already did, while a new or edited campaign file starts from zero. (A
    model's own slice count lives in its train state and spans sessions, so it cannot tell a restart from a new
    schedule on the same machine; session 3 found its first slice skipped that way.)"""

    def __init__(self, runs_dir: pathlib.Path, campaign_file: pathlib.Path):
        self.path = runs_dir / "campaign_progress.json"
        self.key = hashlib.sha256(campaign_file.read_bytes()).hexdigest()[:16]

    def _load(self) -> dict[str, dict[str, int]]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def done(self, model: str) -> int:
        return int(self._load().get(self.key, {}).get(model, 0))

    def record(self, model: str) -> None:
        state = self._load()
        state.setdefault(self.key, {})[model] = state.get(self.key, {}).get(model, 0) + 1
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(self.path)


def run_campaign(path: pathlib.Path) -> None:
    """Run the schedule until killed. Restartable: a slice whose model already finished as many slices under this
    campaign file as the schedule has given it so far is skipped, so a restarted campaign continues where it
    stopped. The file is re-read at every round, so the schedule can be edited while the campaign runs."""
    cache = None
    progress: CampaignProgress | None = None  # keyed by the file as it was at start (edits mid-run keep counting)
    round_index = 0
    scheduled: collections.Counter[str] = collections.Counter()
    while True:
        campaign, configs = load_campaign(path)
        if round_index >= len(campaign.rounds) and not campaign.repeat_last:
            log("campaign finished (repeat_last = false)")
            return
        slices = campaign.rounds[min(round_index, len(campaign.rounds) - 1)]
        log(f"round {round_index}: {[(s.model, s.minutes) for s in slices]}")
        for item in slices:
            config = configs[item.model]
            scheduled[item.model] += 1
            if progress is None:
                progress = CampaignProgress(pathlib.Path(config.runs_dir), path)
            done = progress.done(item.model)
            if done >= scheduled[item.model]:
                log(f"skip {item.model}: {done} slices of this campaign file already done ({progress.path})")
                continue
            if cache is None:
                cache = Trainer.make_cache(config)
                log(f"data cache ready: {len(cache.images)} images")
            trainer = Trainer(config, cache, log=log)
            k = trainer.progress.slices
            peak = config.lr * max(campaign.decay ** k, campaign.min_peak_ratio)
            warmup = config.warmup_iters if trainer.progress.iterations == 0 else 0
            log(f"slice: {config.name} for {item.minutes} min, slice #{k}, peak lr {peak:.2e}")
            trainer.train(peak, seconds=item.minutes * 60, warmup=warmup, on_checkpoint=trainer.save_checkpoint)
            trainer.finish_slice()
            progress.record(item.model)
            del trainer
        round_index += 1


if __name__ == "__main__":
    run_campaign(pathlib.Path(sys.argv[1]))
