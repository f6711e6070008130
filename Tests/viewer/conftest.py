"""Fixtures of the viewer's real-browser test: the built `binsr serve` on an ephemeral port, and headless Chromium.

Run from the repository root:  BINSR_BIN=.build/debug/binsr python -m pytest -q Tests/viewer
Prerequisites (scripts/setup.sh --python installs them): Debian `chromium` and `chromium-driver`, PyPI `selenium`
(scripts/packages/viewer.*). With BINSR_VIEWER_STRICT=1 a missing prerequisite (browser, driver, selenium, binary,
`serve` command) fails the test instead of skipping it; a server without model pairs always skips the network tests.

The server is configured through the service's environment variables (BINSR_PORT, BINSR_HOST, and whatever the
caller exports, e.g. BINSR_MODELS_DIRECTORY), so the test does not depend on flag spellings; BINSR_SERVE_ARGS adds
extra command-line arguments.
"""

import contextlib
import json
import math

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STRICT = os.environ.get("BINSR_VIEWER_STRICT") == "1"


def unavailable(reason):
    """Skips (or, in strict mode, fails) the test for a missing prerequisite, with the reason."""
    if STRICT:
        pytest.fail(reason)
    pytest.skip(reason)


def free_port():
    # Bind port 0 and let the kernel pick; the tiny window before the server binds it is acceptable in a test.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def has_serve_command(binary):
    # swift-argument-parser answers `--help` of an unknown subcommand with the root's help and status 0, so look
    # for the subcommand's own usage line.
    result = subprocess.run([str(binary), "serve", "--help"], capture_output=True, timeout=60)
    return result.returncode == 0 and b"binsr serve" in result.stdout


def study_variants(base, api_key=None):
    """(arch, scale) pairs for which /v1/models lists both a real and a binary model."""
    request = urllib.request.Request(base + "/v1/models")
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.load(response)
    models = body["models"] if isinstance(body, dict) else body
    kinds = {(m["arch"], m["scale"], m["model"]) for m in models}
    return sorted({(a, s) for a, s, k in kinds if k == "real" and (a, s, "binary") in kinds})


def wait_until_serving(url, process, log_path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"binsr serve exited with {process.returncode}:\n{Path(log_path).read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            if error.code == 404:
                unavailable(f"binsr serve answers 404 at {url}: the viewer routes are not wired into the service")
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"binsr serve did not answer at {url} within {timeout} s:\n{Path(log_path).read_text()[-4000:]}")


def make_private_pool(folder, count=3, seed=14):
    """The study's private pool: images made here, published nowhere, so no client holds a study image's source.

    Smooth colour fields with some texture (seeded, 256x192), enough for the networks to differ on them.
    """
    from PIL import Image
    import random

    folder.mkdir(parents=True, exist_ok=True)
    generator = random.Random(seed)
    for index in range(count):
        width, height = 256, 192
        a, b, c = (generator.uniform(0.02, 0.09) for _ in range(3))
        pixels = bytes(
            int(127 + 120 * math.sin(a * x + b * y + channel * c * 40) * math.cos(c * (x - y) + channel))
            for y in range(height) for x in range(width) for channel in range(3))
        Image.frombytes("RGB", (width, height), pixels).save(folder / f"private-{index}.png")
    return folder


@contextlib.contextmanager
def running_server(workdir, **environment):
    """Runs `binsr serve` in `workdir` (a fresh study database there, the repository's web/) until the block ends.

    The study draws from a private pool made in `workdir` (BINSR_STUDY_INPUT_DIRECTORY) unless the caller sets one;
    API keys are on when the caller passes BINSR_AUTH_API_KEYS (its first key then reads /v1/models).
    """
    binary = Path(os.environ.get("BINSR_BIN", REPO / ".build/debug/binsr")).resolve()
    if not binary.is_file():
        unavailable(f"no binsr binary at {binary}: run `swift build` (or set BINSR_BIN)")
    if not has_serve_command(binary):
        unavailable(f"{binary} has no `serve` subcommand yet (`binsr serve --help` fails)")
    port = free_port()
    log_path = workdir / "serve.log"
    command = [str(binary), "serve", *os.environ.get("BINSR_SERVE_ARGS", "").split()]
    env = dict(os.environ, BINSR_HOST="127.0.0.1", BINSR_PORT=str(port), BINSR_WEB_ROOT=str(REPO / "web"),
               BINSR_STUDY_DATA_DIRECTORY=str(workdir / "study-data"))
    if "BINSR_STUDY_INPUT_DIRECTORY" not in environment:
        env["BINSR_STUDY_INPUT_DIRECTORY"] = str(make_private_pool(workdir / "private-pool"))
    # The server runs in a scratch directory, so the default relative models folder would be empty: use the
    # repository's unless the caller chose one.
    if "BINSR_MODELS_DIRECTORY" not in env and (REPO / "models").is_dir():
        env["BINSR_MODELS_DIRECTORY"] = str(REPO / "models")
    env.update(environment)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    api_key = (env.get("BINSR_AUTH_API_KEYS") or "").split(",")[0].strip() or None
    try:
        wait_until_serving(base + "/", process, log_path, timeout=60)
        yield {"base": base, "workdir": workdir, "log": log_path, "variants": study_variants(base, api_key),
               "api_key": api_key, "process": process}
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The real service, shared by the tests of a session. Its per-address session limit is raised, because these
    tests start many sessions from one address on purpose; test_access.py checks the default limit."""
    with running_server(tmp_path_factory.mktemp("binsr-serve"), BINSR_STUDY_SESSIONS_PER_MINUTE="1000",
                        BINSR_STUDY_PAIRS_PER_MINUTE="1000") as running:
        yield running


@pytest.fixture()
def models(server):
    """The (arch, scale) pairs with both a real and a binary model; tests that upscale with a network need one.

    Missing weights are the project's state, not a broken environment: always a skip (with the reason), even in
    strict mode, so the suite stays green until the engine and weights are wired into `binsr serve`.
    """
    if not server["variants"]:
        pytest.skip("binsr serve lists no architecture/scale with both a real and a binary model "
                    "(export BINSR_MODELS_DIRECTORY or pass BINSR_SERVE_ARGS)")
    return server["variants"]


@pytest.fixture(scope="session")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("selenium is not installed (pip install -r scripts/packages/viewer.pip)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        unavailable("Debian packages chromium and chromium-driver are not installed (scripts/packages/viewer.test.apt)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1500,1000", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    # An explicit driver path: selenium must not try to download a driver (there is no network).
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
