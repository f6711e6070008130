"""Training precision chosen by measurement: bf16 autocast or fp32, whichever runs a training step faster here.

bf16 autocast is 2.6x faster than fp32 on a CPU with AMX but 1.5x slower on one with only AVX512-BF16 (both
measured in this project, docs/training.md), so no CPU flag decides it: `precision = "auto"` times a few forward +
backward passes of the real model and batch in each mode and keeps the faster one. The optimizer step is left out
(it is the same fp32 work in both modes) so measuring never changes the weights.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable

PRECISIONS = ("auto", "fp32", "bf16")

# One measurement per process and workload: a campaign builds a trainer per slice and must not re-measure each time.
_measured: dict[tuple, tuple[bool, dict[str, float]]] = {}


def choose_bf16(precision: str, key: tuple, time_pass: Callable[[bool], float], repeats: int = 3,
                log=print) -> tuple[bool, dict[str, float]]:
    """(use bf16, median seconds per pass by mode). `time_pass(bf16)` runs one forward + backward and returns
    its duration; each mode gets one untimed warm-up pass, then `repeats` timed passes, interleaved."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision != "auto":
        return precision == "bf16", {}
    if key in _measured:
        return _measured[key]
    for bf16 in (False, True):
        time_pass(bf16)
    times: dict[str, list[float]] = {"fp32": [], "bf16": []}
    for _ in range(repeats):
        for bf16 in (False, True):
            times["bf16" if bf16 else "fp32"].append(time_pass(bf16))
    medians = {mode: statistics.median(values) for mode, values in times.items()}
    choice = pick(medians)
    log(f"training precision: {'bf16 autocast' if choice else 'fp32'} (median forward+backward: "
        f"fp32 {medians['fp32']:.3f} s, bf16 {medians['bf16']:.3f} s)")
    _measured[key] = (choice, medians)
    return _measured[key]


def pick(medians: dict[str, float]) -> bool:
    """bf16 only when it is measurably faster (5%): it costs a little accuracy, so a tie goes to fp32."""
    return medians["bf16"] < 0.95 * medians["fp32"]


def timed(fn: Callable[[], None], synchronize: Callable[[], None] = lambda: None) -> float:
    start = time.perf_counter()
    fn()
    synchronize()
    return time.perf_counter() - start
