"""The training loop: Adam, L1/Charbonnier, cosine learning rate over a step or time budget, checkpoints, export.

A `Trainer` owns one model, its optimizer and its progress. It trains for a budget (steps or seconds), with the LR
following one cosine from the given peak down to peak * lr_min_ratio, so the weights at the end of every budget are
annealed (the campaign runs budgets as warm restarts, Loshchilov & Hutter 2017). Under torchrun (WORLD_SIZE > 1) the
model is wrapped in DistributedDataParallel (gloo on CPU, nccl on CUDA) and only rank 0 writes files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import pathlib
import time

import numpy as np
import torch
from safetensors import safe_open
from torch import distributed as dist
from torch import nn

from binsr_train.archs.binarize import BinaryConv2d
from binsr_train.config import REPO_ROOT, TrainConfig
from binsr_train.data.patch_cache import PatchCache, default_cache_file
from binsr_train.data.training_images import list_training_images, split_validation
from binsr_train.losses.pixel import pixel_loss
from binsr_train.metrics.psnr import evaluate, held_out_pairs
from binsr_train.trainers.model_card import write_model_card
from binsr_train.trainers.precision import choose_bf16, timed
from binsr_train.trainers.progress import Progress
from binsr_train.trainers.recipe import Distiller, WeightAverage
from binsr_train.weights.export import export_model, load_state_into, save_train_state

TRAINING_DIR = REPO_ROOT / "training"


def distributed_context() -> tuple[int, int]:
    """(rank, world size); initialises the process group under torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank(), world) if world > 1 else (0, 1)


class Trainer:
    """Trains one model described by `config`; `cache` may be shared between trainers of the same scales."""

    def __init__(self, config: TrainConfig, cache: PatchCache | None = None, log=print):
        self.config = config
        self.log = log
        self.rank, self.world = distributed_context()
        torch.set_num_threads(config.threads)
        self.device = torch.device(f"cuda:{self.rank % torch.cuda.device_count()}" if torch.cuda.is_available()
                                   else "cpu")
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True  # fixed patch shapes: let cuDNN pick its fastest kernels
        torch.manual_seed(config.seed + self.rank)
        self.rng = np.random.default_rng(config.seed + 1000 * self.rank + int(time.time()))
        self.model = config.model.build()
        self.progress = Progress()
        self.runs = pathlib.Path(config.runs_dir) / config.name
        self.models = pathlib.Path(config.models_dir)
        self._initialise_weights()
        self.model.to(self.device)
        if config.channels_last:
            self.model.to(memory_format=torch.channels_last)
        self.optimizer = torch.optim.Adam(self._param_groups(), lr=config.lr, betas=(0.9, 0.999))
        self.ema = WeightAverage(self.model, config.ema_decay) if config.ema_decay > 0 else None
        self.distiller = self._make_distiller()
        self._load_checkpoint()
        self.net = self.model
        if self.world > 1:
            self.net = nn.parallel.DistributedDataParallel(self.model)
        self.cache = cache if cache is not None else self.make_cache(config)
        self._validation: list | None = None
        if config.monitor and self.rank == 0 and math.isnan(self.progress.best_psnr):
            self.progress.best_psnr = self._exported_baseline()
        self.bf16, self.precision_timings = self._choose_precision()

    def _make_distiller(self) -> Distiller | None:
        c = self.config
        if not c.distill_from:
            return None
        teacher_config = dataclasses.replace(c.model, blocks=c.distill_blocks, binarize="none")
        teacher = teacher_config.build()
        load_state_into(teacher, TRAINING_DIR / c.distill_from, (), grow=False)
        teacher.to(self.device)
        if c.channels_last:
            teacher.to(memory_format=torch.channels_last)
        self.log(f"[{c.name}] distilling from {c.distill_from} ({c.distill_blocks} real blocks; output x"
                 f"{c.distill_output_weight:g}, features x{c.distill_feature_weight:g})")
        return Distiller(teacher, self.model, c.distill_output_weight, c.distill_feature_weight)

    def _averaged(self):
        """Validation and export see the EMA weights when the recipe keeps them."""
        return self.ema.applied(self.model) if self.ema is not None else contextlib.nullcontext(self.model)

    def _exported_baseline(self) -> float:
        """Validation PSNR of the state exported to models_dir (what a new export would replace), -inf if none."""
        shipped = self.models / f"{self.config.name}.train.safetensors"
        if not shipped.exists():
            return -math.inf
        model = self.config.model.build()
        load_state_into(model, shipped, (), grow=False)
        model.to(self.device)
        if self._validation is None:
            self._load_validation()
        psnr = evaluate(model, self._validation, self.config.model.scale)
        self.log(f"[{self.config.name}] exported state {shipped.name}: validation (held-out) {psnr:.3f} dB = the bar")
        return psnr

    def _load_validation(self) -> None:
        c = self.config
        self._validation = held_out_pairs(pathlib.Path(c.train_root), c.folders, c.model.scale, c.validation_stride)

    def _choose_precision(self) -> tuple[bool, dict[str, float]]:
        c = self.config
        key = (c.model, c.batch, c.patch, c.threads, c.channels_last, str(self.device))
        sync = torch.cuda.synchronize if self.device.type == "cuda" else (lambda: None)

        def one_pass(bf16: bool) -> float:
            x, targets = self._batch()

            def run() -> None:
                with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bf16):
                    out = self.net(x)
                outputs = out if isinstance(out, list) else [out]
                pixel_loss(c.loss, outputs, targets).backward()

            seconds = timed(run, sync)
            self.optimizer.zero_grad(set_to_none=True)
            return seconds

        return choose_bf16(c.precision, key, one_pass, log=lambda m: self.log(f"[{c.name}] {m}"))

    @staticmethod
    def make_cache(config: TrainConfig) -> PatchCache:
        scales = (2, 4)  # one cache serves every model of the campaign
        paths, _ = split_validation(list_training_images(pathlib.Path(config.train_root), config.folders),
                                    config.validation_stride)
        return PatchCache(paths, scales, default_cache_file(pathlib.Path(config.runs_dir), paths, scales))

    def _param_groups(self) -> list[dict]:
        binary = [m.weight for m in self.model.modules() if isinstance(m, BinaryConv2d)]
        ids = {id(p) for p in binary}
        rest = [p for p in self.model.parameters() if id(p) not in ids]
        groups = [{"params": rest, "lr_scale": 1.0}]
        if binary:
            groups.append({"params": binary, "lr_scale": self.config.binary_lr_factor})
        return groups

    def _initialise_weights(self) -> None:
        shipped = self.models / f"{self.config.name}.train.safetensors"
        init_from = TRAINING_DIR / self.config.init_from if self.config.init_from else None  # relative to training/
        source = shipped if shipped.exists() else init_from
        if source is None:
            return
        skip = () if source == shipped else self.config.init_skip
        reinitialised = load_state_into(self.model, source, skip, grow=self.config.init_grow and source != shipped)
        if source == shipped:
            with safe_open(str(shipped), "pt") as handle:
                meta = handle.metadata()
            self.progress.iterations = int(meta.get("iterations", "0"))
            self.progress.seconds = float(meta.get("train_seconds", "0"))
            # Older files lack samples/pixels: reconstruct them from the batch and patch they record.
            batch, patch = int(meta.get("batch", "0")), int(meta.get("patch", "0"))
            self.progress.samples = int(meta.get("samples", self.progress.iterations * batch))
            self.progress.pixels = int(meta.get("pixels", self.progress.samples * patch * patch))
            self.progress.slices = int(meta.get("slices", "0"))
            # States exported before the held-out monitor carry only a Set5 number, which must not select
            # checkpoints: their baseline is measured on the validation images instead (see __init__).
            self.progress.best_psnr = float(meta.get("psnr_val_python", "nan"))
        grown = {k.split(".")[1] for k in reinitialised if k.startswith("body.") and not k.endswith(".alpha")}
        alphas = [k for k in reinitialised
                  if k.endswith(".alpha") and not (k.startswith("body.") and k.split(".")[1] in grown)]
        self.log(f"[{self.config.name}] initialised from {source} (re-initialised: {len(alphas)} alphas; "
                 f"grown: {len(grown)} blocks starting as the identity)")

    def _checkpoint_path(self) -> pathlib.Path:
        return self.runs / "checkpoint.pt"

    def _load_checkpoint(self) -> None:
        path = self._checkpoint_path()
        if not path.exists():
            return
        state = torch.load(path, map_location=self.device, weights_only=False)
        self.model.load_state_dict(state["model"], strict=True)
        if self.ema is not None:  # a checkpoint without an average (the option was just turned on) starts it here
            self.ema = WeightAverage(self.model, self.config.ema_decay)
            if "ema" in state:
                self.ema.shadow = state["ema"]
        self.optimizer.load_state_dict(state["optimizer"])
        self.progress = Progress(**state["progress"])
        if state["progress"].get("monitor_set") != "validation":  # a Set5 number must not select checkpoints
            self.progress.best_psnr, self.progress.monitor_set = math.nan, "validation"
        self.log(f"[{self.config.name}] resumed runs checkpoint at {self.progress.iterations} iterations")

    def save_checkpoint(self) -> None:
        if self.rank != 0:
            return
        self.runs.mkdir(parents=True, exist_ok=True)
        tmp = self.runs / "checkpoint.pt.tmp"
        state = {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                 "progress": self.progress.__dict__}
        if self.ema is not None:
            state["ema"] = self.ema.shadow
        torch.save(state, tmp)
        os.replace(tmp, self._checkpoint_path())

    def _batch(self) -> tuple[torch.Tensor, list[torch.Tensor]]:
        c, scale = self.config, self.config.model.scale
        levels = int(math.log2(scale))
        extra = tuple(scale // 2 ** (l + 1) for l in range(levels - 1)) if c.model.arch == "lapsrn" else ()
        arrays = self.cache.sample(self.rng, c.batch, c.patch, scale, tuple(s for s in extra if s != 1))
        x = torch.from_numpy(arrays[scale])
        if c.noise_sigma > 0:
            x = x + torch.randn_like(x) * (c.noise_sigma / 255.0)
        targets = [torch.from_numpy(arrays[s]) for s in extra] + [torch.from_numpy(arrays[1])]
        fmt = torch.channels_last if c.channels_last else torch.contiguous_format
        return x.to(self.device, memory_format=fmt), [t.to(self.device) for t in targets]

    def step(self, lr: float) -> float:
        for group in self.optimizer.param_groups:
            group["lr"] = lr * group["lr_scale"]
        x, targets = self._batch()
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            out = self.net(x)
        outputs = out if isinstance(out, list) else [out]
        loss = pixel_loss(self.config.loss, outputs, targets)
        if self.distiller is not None:
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
                loss = loss + self.distiller.loss(x, outputs[-1])
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        if self.ema is not None:
            self.ema.update(self.model)
        self.progress.iterations += 1
        self.progress.samples += self.config.batch * self.world
        self.progress.pixels += self.config.batch * self.world * self.config.patch ** 2
        return float(loss.detach())

    def train(self, peak_lr: float, steps: int = 0, seconds: float = 0.0, warmup: int = 0,
              on_checkpoint=None) -> None:
        """Train for `steps` steps or `seconds` seconds (exactly one non-zero) on one cosine from peak_lr.

        Seconds are compute seconds: process CPU time divided by the thread count, so a slice gets the same work
        whether the machine is shared, busy or the process is paused (SIGSTOP during a benchmark) for a while.
        """
        if (steps > 0) == (seconds > 0):
            raise ValueError("give exactly one of steps and seconds")
        start, done, losses = time.monotonic(), 0, []
        compute_start = self._compute_clock()
        last_checkpoint = start
        floor = peak_lr * self.config.lr_min_ratio
        while True:
            elapsed = self._compute_clock() - compute_start
            fraction = done / steps if steps else elapsed / seconds
            if fraction >= 1.0:
                break
            lr = floor + (peak_lr - floor) * 0.5 * (1.0 + math.cos(math.pi * fraction))
            if done < warmup:
                lr *= (done + 1) / warmup
            t0 = self._compute_clock()
            losses.append(self.step(lr))
            self.progress.seconds += self._compute_clock() - t0
            done += 1
            if done % 10 == 0:
                self.log(f"[{self.config.name}] it {self.progress.iterations} loss {np.mean(losses[-10:]):.5f} "
                         f"lr {lr:.2e} {(time.monotonic() - start) / done:.2f}s/it "
                         f"({(self._compute_clock() - compute_start) / done:.2f} compute s/it)")
            if on_checkpoint and time.monotonic() - last_checkpoint > self.config.checkpoint_minutes * 60:
                on_checkpoint()
                last_checkpoint = time.monotonic()
        self.progress.slices += 1
        self.progress.last_loss = float(np.mean(losses[-50:])) if losses else math.nan

    def _compute_clock(self) -> float:
        return time.process_time() / max(1, self.config.threads) if self.device.type == "cpu" else time.monotonic()

    def validate(self) -> float:
        """Mean Y-PSNR on the held-out training images (never a benchmark test set)."""
        if self._validation is None:
            self._load_validation()
        model = self.model.to(memory_format=torch.contiguous_format)
        with self._averaged():
            psnr = evaluate(model, self._validation, self.config.model.scale)
        if self.config.channels_last:
            self.model.to(memory_format=torch.channels_last)
        return psnr

    def finish_slice(self, always_export: bool = False) -> float | None:
        """Checkpoint to runs/, measure the held-out validation PSNR, export to models/ if improved. Rank 0 only."""
        if self.rank != 0:
            return None
        self.save_checkpoint()
        psnr = self.validate() if self.config.monitor else math.nan
        improved = not self.config.monitor or not psnr <= self.progress.best_psnr  # a NaN best: nothing to beat
        self.log(f"[{self.config.name}] validation (held-out) {psnr:.3f} dB after {self.progress.iterations} it "
                 f"(best {self.progress.best_psnr:.3f}){' -> export' if improved or always_export else ''}")
        if improved or always_export:
            if improved and not math.isnan(psnr):
                self.progress.best_psnr = psnr
            self.export(psnr)
            self.save_checkpoint()
        return psnr

    def export(self, psnr: float) -> None:
        c = self.config
        provenance = {
            "train_data": ",".join(c.folders), "iterations": str(self.progress.iterations),
            "patch": str(c.patch), "batch": str(c.batch * self.world), "train_seconds": f"{self.progress.seconds:.0f}",
            "psnr_val_python": f"{psnr:.3f}", "samples": str(self.progress.samples),
            "pixels": str(self.progress.pixels), "slices": str(self.progress.slices),
            "init_from": c.init_from, "bf16": str(self.bf16).lower(),
        }
        if c.ema_decay > 0:
            provenance["ema_decay"] = f"{c.ema_decay:g}"
        if c.distill_from:
            provenance["distill_from"] = c.distill_from
        self.model.eval()
        with self._averaged():
            export_model(self.model, c.model, self.models / f"{c.name}.safetensors", provenance)
            save_train_state(self.model, c.model, self.models / f"{c.name}.train.safetensors", provenance)
        self.model.train()
        write_model_card(self.models / f"{c.name}.md", c, self.progress, psnr, json.dumps(provenance), self.bf16)
