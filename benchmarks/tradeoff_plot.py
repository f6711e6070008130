"""Draws the trade-off chart from the points benchmarks/tradeoff.py measured (re-draw without measuring again:
`.venv/bin/python benchmarks/tradeoff_plot.py docs/tradeoff.json docs/tradeoff.png`).

One panel per dataset and scale: PSNR against time per input (log scale). Colour = engine, marker = network, filled =
full precision (fp32 / f32), hollow = a reduced-precision mode; binsr points are labelled with their mode. The grey
steps join the points no other point beats on both axes (the Pareto front); the dashed line is bicubic.
"""
import pathlib
import sys
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the file backend)
from matplotlib.lines import Line2D  # noqa: E402

ENGINES = {"binsr": "tab:blue", "PyTorch": "tab:orange", "OpenVINO": "tab:green", "OpenCV": "tab:red"}
MODELS = {
    "srresnet-real": ("o", "SRResNet real"), "srresnet-binary": ("s", "SRResNet binary"),
    "lapsrn-real": ("^", "LapSRN real"), "lapsrn-binary": ("D", "LapSRN binary"),
    "opencv-ESPCN": ("P", "ESPCN (OpenCV)"), "opencv-FSRCNN": ("X", "FSRCNN (OpenCV)"),
    "opencv-LapSRN": ("v", "LapSRN (OpenCV .pb)"),
}
FULL_PRECISION = {"fp32", "f32"}


def pareto(rows):
    """The points no other point beats on both time (lower) and PSNR (higher), fastest first."""
    front, best = [], float("-inf")
    for row in sorted(rows, key=lambda r: (r["time_ms"], -r["psnr"])):
        if row["psnr"] > best:
            front.append(row)
            best = row["psnr"]
    return front


def draw_panel(ax, rows, bicubic, label_modes):
    front = pareto(rows)
    ax.step([r["time_ms"] for r in front], [r["psnr"] for r in front], where="post", color="0.75", lw=1.2, zorder=1)
    for row in rows:
        marker, _ = MODELS[row["model"]]
        color = ENGINES[row["engine"]]
        full = row["precision"] in FULL_PRECISION
        ax.scatter(row["time_ms"], row["psnr"], marker=marker, s=46, linewidths=1.3, edgecolors=color,
                   facecolors=color if full else "white", zorder=4 if row["engine"] == "binsr" else 3)
        if label_modes and row["engine"] == "binsr":
            ax.annotate(row["precision"], (row["time_ms"], row["psnr"]), xytext=(1, 5), textcoords="offset points",
                        fontsize=6, color="0.25", rotation=50, rotation_mode="anchor", zorder=5)
    ax.axhline(bicubic, ls="--", color="0.5", lw=1, zorder=0)
    ax.annotate("bicubic", (1, bicubic), xycoords=("axes fraction", "data"), xytext=(-4, 3),
                textcoords="offset points", ha="right", fontsize=7, color="0.4")
    ax.set_xscale("log")
    ax.grid(True, which="both", color="0.92", lw=0.6)


def draw(result, path):
    fig, axes = plt.subplots(2, 2, figsize=(15, 12), sharex=True)
    scales, datasets = (4, 2), ("Set5", "Set14")
    for i, scale in enumerate(scales):
        for j, dataset in enumerate(datasets):
            ax = axes[i][j]
            rows = [p for p in result["points"] if p["scale"] == scale and p["dataset"] == dataset]
            bicubic = next(b["psnr"] for b in result["bicubic"] if b["scale"] == scale and b["dataset"] == dataset)
            draw_panel(ax, rows, bicubic, label_modes=True)
            ax.set_title(f"{dataset} x{scale}", fontsize=11)
            if j == 0:
                ax.set_ylabel("PSNR (dB)")
            if i == len(scales) - 1:
                ax.set_xlabel(f"time per {result['size']}x{result['size']} input (ms, log scale)")
    handles = [Line2D([], [], ls="", marker="o", color=c, label=e) for e, c in ENGINES.items()]
    handles += [Line2D([], [], ls="", marker=m, color="0.2", label=name) for m, name in MODELS.values()]
    handles += [Line2D([], [], ls="", marker="o", mfc="white", color="0.2", label="hollow: bf16 / int8 mode"),
                Line2D([], [], ls="--", color="0.5", label="bicubic (MATLAB)"),
                Line2D([], [], color="0.75", lw=1.2, label="Pareto front")]
    fig.legend(handles=handles, loc="lower center", ncol=7, fontsize=8.5, frameon=False, bbox_to_anchor=(0.5, 0.035))
    quick = " QUICK SMOKE RUN (CI): one image per set, not a measurement." if result["quick"] else ""
    fig.suptitle(f"Speed vs quality, {result['date']}: {result['cpu']}, {result['threads']} threads\n"
                 f"time = median of {result['rounds'] * result['runs']} runs ({result['rounds']} round(s) x "
                 f"{result['runs']}, after {result['warmup']} warm-up run(s) per round).{quick}", fontsize=11)
    fig.text(0.5, 0.008, "PSNR on Y, border = scale, LR = MATLAB bicubic rounded to 8 bits, as a user supplies it. "
             "binsr modes: fp32 PSNR + the mode's gate change; PyTorch and OpenVINO: binsr's fp32 PSNR of the same "
             f"weights.\nMade by: {result['command']}", ha="center", fontsize=8, color="0.3")
    fig.tight_layout(rect=(0, 0.08, 1, 0.96))
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    source = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/tradeoff.json")
    draw(json.loads(source.read_text()), pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else source.with_suffix(".png")))
