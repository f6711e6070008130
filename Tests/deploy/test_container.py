"""The container end-to-end test (deploy/container-test.sh): build the image with podman, serve, upscale, SIGTERM.
It takes 15-25 minutes on a fresh machine and needs root and podman, so it runs only when asked:
    BINSR_CONTAINER_TEST=1 scripts/test.sh"""

import os
import subprocess

import pytest
from deploy_support import DEPLOY, ROOT


@pytest.mark.skipif(os.environ.get("BINSR_CONTAINER_TEST") != "1",
                    reason="slow; set BINSR_CONTAINER_TEST=1 to build and run the container image")
def test_container_builds_serves_upscales_and_stops_cleanly():
    result = subprocess.run(["bash", str(DEPLOY / "container-test.sh")], cwd=ROOT, capture_output=True, text=True,
                            timeout=3600)
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "container-test: PASS" in result.stdout
