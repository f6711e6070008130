#!/usr/bin/env python3
"""The hostile clients of issue 13 against a real `binsr serve`, with a normal client measured meanwhile.

    benchmarks/overload.py [--binary .build/release/binsr] [--config config/binsr.json] [--idle 5000]
                           [--loris 1000] [--squatters 8] [--seconds 15] [IMAGE.png]

Starts the server (127.0.0.1, a free port, fp32 so no precision measurement runs meanwhile), then for each attack:
  idle       N keep-alive connections, each after one GET /healthz, held open: server RSS growth, then a normal upload
  slowloris  N connections sending one header byte per second for --seconds
  squatters  N uploads declaring Content-Length 32 MiB, one body byte every 2 s, for --seconds
and a normal client from 127.0.0.1 posting IMAGE (x2 binary SRResNet) once a second on a new connection: how
many were answered 200 on their first try, and their median latency (against the same upload with no attack).
Attackers connect from 127.0.0.10 and up (500 per address, under the per-address cap). Prints one line per
attack. Run `--binary` of an older build with its own config to compare.
"""
import argparse
import http.client
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def attacker(port, index):
    s = socket.socket()
    s.bind((f"127.0.0.{10 + index // 500}", 0))
    s.connect(("127.0.0.1", port))
    return s


def upload(port, body, timeout=30):
    """One upload on a new connection: (status or 0, seconds)."""
    start = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("POST", "/upscale?scale=2&model=binary&arch=srresnet", body, {"Content-Type": "image/png"})
        r = c.getresponse()
        r.read()
        c.close()
        return r.status, time.monotonic() - start
    except OSError:
        return 0, time.monotonic() - start


def normal_clients(port, body, seconds):
    results = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        results.append(upload(port, body))
        time.sleep(max(0.0, 1.0 - results[-1][1]))
    return results


def summary(name, results, baseline, extra=""):
    ok = [t for status, t in results if status == 200]
    median = statistics.median(ok) * 1000 if ok else float("nan")
    print(f"{name:10s} normal uploads 200 on first try: {len(ok)}/{len(results)}  median {median:.0f} ms "
          f"(no attack {baseline * 1000:.0f} ms){extra}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=str(ROOT.parent / "shared/datasets/Set5/baby.png"))
    p.add_argument("--binary", default=str(ROOT / ".build/release/binsr"))
    p.add_argument("--config", default=str(ROOT / "config/binsr.json"))
    p.add_argument("--idle", type=int, default=5000)
    p.add_argument("--loris", type=int, default=1000)
    p.add_argument("--squatters", type=int, default=8)
    p.add_argument("--seconds", type=float, default=15)
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    # A small crop keeps the normal client's work short: 64x64 of the image, as PNG, via the venv-free path.
    body = Path(a.image).read_bytes()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tempfile.NamedTemporaryFile(prefix="binsr-overload-", suffix=".log", delete=False)
    server = subprocess.Popen(
        [a.binary, "serve", "--config", a.config, "--host", "127.0.0.1", "--port", str(port),
         "--set", f"modelsDirectory={ROOT / 'models'}", "--set", "precision=fp32", "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        warm = [upload(port, body) for _ in range(3)]
        baseline = statistics.median(t for _, t in warm)
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        print(f"binary {a.binary}; image {Path(a.image).name} x2 binary SRResNet; {os.cpu_count()} cores, {cpu}")

        # 1. idle keep-alive connections
        before = rss_bytes(server.pid)
        held, refused = [], 0
        for i in range(a.idle):
            try:
                s = attacker(port, i)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                s.settimeout(5)
                reply = s.recv(4096)
                if not reply.startswith(b"HTTP/1.1 200"):
                    refused += 1
                held.append(s)
            except OSError:
                refused += 1
        grown = rss_bytes(server.pid) - before
        results = [upload(port, body) for _ in range(5)]
        summary("idle", results, baseline,
                f"; {a.idle} idle connections ({refused} refused), server RSS +{grown / 2**20:.1f} MiB")
        for s in held:
            s.close()
        time.sleep(1)

        # 2. slowloris
        loris = []
        for i in range(a.loris):
            try:
                s = attacker(port, i)
                s.sendall(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
                loris.append(s)
            except OSError:
                pass
        stop = threading.Event()

        def trickle(sockets, byte, every):
            while not stop.wait(every):
                for s in sockets:
                    try:
                        s.send(byte)
                    except OSError:
                        pass
        t = threading.Thread(target=trickle, args=(loris, b"a", 1.0))
        t.start()
        results = normal_clients(port, body, a.seconds)
        stop.set()
        t.join()
        summary("slowloris", results, baseline, f"; {len(loris)} slow connections")
        for s in loris:
            s.close()
        time.sleep(1)

        # 3. body squatters
        stop.clear()
        squat = []
        for i in range(a.squatters):
            s = attacker(port, i)
            s.sendall(b"POST /upscale HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 33554432\r\n\r\n")
            squat.append(s)
        t = threading.Thread(target=trickle, args=(squat, b"x", 2.0))
        t.start()
        results = normal_clients(port, body, a.seconds)
        stop.set()
        t.join()
        summary("squatters", results, baseline, f"; {len(squat)} squatting uploads")
        for s in squat:
            s.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
