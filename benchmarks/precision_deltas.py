"""PSNR change of each precision mode against fp32, from benchmarks/quality_table.sh's JSON (runs/quality/).

    python3 benchmarks/precision_deltas.py [runs/quality]
Prints one row per model and mode: the change on Set5 and Set14 and whether it stays within the 0.02 dB rule.
"""
import json
import pathlib
import sys

folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parents[1] / "runs" / "quality")
psnr = {}
for path in folder.glob("*.json"):
    dataset, scale, method, precision = path.stem.split("_", 3)
    psnr[(dataset, scale, method, precision)] = json.loads(path.read_text())["meanPSNR"]
print("| model | mode | Set5 dB | Set14 dB | within 0.02 dB |")
print("|---|---|---|---|---|")
for scale, method in sorted({(k[1], k[2]) for k in psnr if k[2] != "bicubic"}, key=lambda m: (m[0] != "x4", m[1])):
    for mode in ("bf16", "int8", "bf16-all"):
        deltas = [psnr.get((d, scale, method, mode), None) for d in ("Set5", "Set14")]
        base = [psnr.get((d, scale, method, "fp32"), None) for d in ("Set5", "Set14")]
        if None in deltas or None in base:
            continue
        change = [x - b for x, b in zip(deltas, base)]
        ok = all(abs(c) <= 0.02 for c in change)
        print(f"| {method} {scale} | {mode} | {change[0]:+.4f} | {change[1]:+.4f} | {'yes' if ok else 'no'} |")
