"""PSNR change of each precision mode against fp32, from the quality gates `binsr gate` writes beside the weights.

    python3 benchmarks/precision_deltas.py [models]
Prints one row per model, scale and mode: the change on Set5 and Set14 and whether `auto` may use the mode (every
recorded change within 0.02 dB).
"""
import json
import pathlib
import sys

folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parents[1] / "models")
print("| model | scale | mode | Set5 dB | Set14 dB | auto may use it |")
print("|---|---|---|---|---|---|")
for path in sorted(folder.glob("*.gate.json")):
    gate = json.loads(path.read_text())
    name = path.name.removesuffix(".gate.json")
    arch, _, kind = name.split("_")
    scales = sorted({key.split("_x")[1] for key in gate["fp32"]}, reverse=True)
    for scale in scales:
        for mode in ("bf16", "int8", "bf16-all", "int8-bf16"):
            changes = gate["changes"].get(mode)
            if changes is None:
                continue
            allowed = all(abs(changes.get(k, float("inf"))) <= 0.02 for k in gate["fp32"])
            cells = [f"{changes[f'{d}_x{scale}']:+.4f}" for d in ("Set5", "Set14")]
            print(f"| {arch}-{kind} | x{scale} | {mode} | {cells[0]} | {cells[1]} | {'yes' if allowed else 'no'} |")
