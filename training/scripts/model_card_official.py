"""Writes the official `binsr eval` numbers (fp32; from benchmarks/quality_table.sh's JSON in runs/quality/) into
each model card's "Official numbers" line, replacing the previous one.

    python3 training/scripts/model_card_official.py [runs/quality]
"""
import datetime
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parents[2]
folder = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "runs" / "quality"
today = datetime.date.today().isoformat()
for card in sorted((root / "models").glob("*_x*_*.md")):
    arch, scale, kind = card.stem.split("_")
    scores = []
    for dataset in ("Set5", "Set14"):
        path = folder / f"{dataset}_{scale}_{arch}-{kind}_fp32.json"
        if not path.exists():
            break
        d = json.loads(path.read_text())
        scores.append(f"{dataset} {d['meanPSNR']:.2f} / {d['meanSSIM']:.4f} / {d['meanIFC']:.3f}")
    else:
        # An x4 LapSRN also serves x2 from its first level (when no x2 file exists): its rows, too.
        coarse = [folder / f"{dataset}_x2_{arch}-{kind}_fp32.json" for dataset in ("Set5", "Set14")]
        extra = ""
        if arch == "lapsrn" and scale == "x4" and all(p.exists() for p in coarse):
            x2 = [json.loads(p.read_text()) for p in coarse]
            extra = (f"; x2 (first level, border 2): Set5 {x2[0]['meanPSNR']:.2f} / {x2[0]['meanSSIM']:.4f}, "
                     f"Set14 {x2[1]['meanPSNR']:.2f} / {x2[1]['meanSSIM']:.4f}")
        line = (f"- Official numbers (`binsr eval`, fp32, Y, border {scale[1:]}, PSNR / SSIM / IFC, {scale}): "
                f"{'; '.join(scores)}{extra} (benchmarks/quality_table.sh, {today}).")
        lines = [l for l in card.read_text().splitlines() if not l.startswith("- Official numbers")]
        card.write_text("\n".join(lines) + "\n" + line + "\n")
        print(f"{card.name}: {line}")
