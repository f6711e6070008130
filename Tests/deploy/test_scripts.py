"""The deployment's shell scripts: shellcheck-clean, and the container health check judged against a real local
HTTP server that answers 200, 503 or nothing."""

import http.server
import socket
import threading

import pytest
from deploy_support import DEPLOY, ROOT, run, tool

SCRIPTS = sorted(DEPLOY.rglob("*.sh"))


def test_there_are_scripts_to_check():
    names = {p.relative_to(ROOT).as_posix() for p in SCRIPTS}
    assert {"deploy/container-test.sh", "deploy/healthcheck.sh", "deploy/images/make-base-images.sh"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shellcheck_finds_nothing(script):
    result = run([tool("shellcheck"), "--external-sources", str(script)], cwd=ROOT)
    assert result.returncode == 0, result.stdout


def serve(status: int):
    """A loopback HTTP server answering every GET with `status`; returns (server, port)."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(status if self.path == "/healthz" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


@pytest.mark.parametrize("status, healthy", [(200, True), (503, False), (500, False)])
def test_healthcheck_passes_only_on_200_from_healthz(status, healthy):
    server, port = serve(status)
    try:
        result = run(["bash", str(DEPLOY / "healthcheck.sh"), str(port)])
    finally:
        server.shutdown()
    assert (result.returncode == 0) == healthy, result.stderr


def test_healthcheck_fails_when_nothing_listens():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        result = run(["bash", str(DEPLOY / "healthcheck.sh"), str(port)])
    assert result.returncode != 0
