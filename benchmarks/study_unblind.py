#!/usr/bin/env python3
"""The statistical unblinding attack on the blind study that issue 14's defences do not stop while the API is open.

A study image is a network's output, so a bicubic downscale of it approximates the pair's (private) input;
upscaling that through POST /upscale with both networks and asking which result is closer to the shown image
names the real side. Run against a server with the study on and API keys off, on the same host (the truth is read
from the vote database, which the attacker of course does not have):

    BINSR_STUDY_INPUT_DIRECTORY=DIR BINSR_STUDY_DATA_DIRECTORY=VOTES BINSR_STUDY_MIN_VIEW_SECONDS=0 \
        BINSR_STUDY_SESSIONS_PER_MINUTE=1000 BINSR_STUDY_PAIRS_PER_MINUTE=1000 .build/release/binsr serve &
    python3 benchmarks/study_unblind.py http://127.0.0.1:8080 VOTES/study.sqlite3 16

Prints each guess and "correct K/N". With API keys on, every /upscale call gets 401 and the attack has nothing.
Needs numpy and Pillow (the project's venv).
"""

import io
import json
import sqlite3
import sys
import urllib.request

import numpy as np
from PIL import Image


def call(url, method="GET", body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=300) as response:
        return dict(response.headers), response.read()


def main(base, database, pairs):
    correct = 0
    for index in range(pairs):
        headers, body = call(base + "/study/next")
        cookie, pair = headers["Set-Cookie"].split(";")[0], json.loads(body)
        left = Image.open(io.BytesIO(call(base + pair["left_url"], headers={"Cookie": cookie})[1])).convert("RGB")
        call(base + pair["right_url"], headers={"Cookie": cookie})
        scale = pair["scale"]
        small = io.BytesIO()
        left.resize((left.width // scale, left.height // scale), Image.BICUBIC).save(small, "PNG")
        shown = np.asarray(left, dtype=np.float64)
        error = {}
        for model in ("real", "binary"):
            _, upscaled = call(f"{base}/upscale?scale={scale}&arch={pair['arch']}&model={model}&format=png", "POST",
                               small.getvalue(), {"Content-Type": "image/png"})
            error[model] = np.mean((shown - np.asarray(Image.open(io.BytesIO(upscaled)).convert("RGB"))) ** 2)
        guess = error["real"] < error["binary"]
        call(base + "/study/vote", "POST", json.dumps({"pair_id": pair["pair_id"], "choice": "same"}).encode(),
             {"Content-Type": "application/json", "Cookie": cookie})
        with sqlite3.connect(database) as db:
            truth = bool(db.execute("SELECT real_on_left FROM pairs WHERE id = ?", (pair["pair_id"],)).fetchone()[0])
        correct += guess == truth
        print(f"{index} {pair['arch']} x{scale}: guessed real on the left {guess}, truth {truth}", flush=True)
    print(f"correct {correct}/{pairs}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 16)
