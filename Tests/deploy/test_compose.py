"""deploy/compose.yaml and deploy/prometheus: the compose file's structure agrees with the image and the manifests,
Prometheus scrapes the service where compose puts it, and promtool accepts the config and passes the alert tests."""

import re
import shutil

import pytest
import yaml
from deploy_support import DEPLOY, DRAIN_SECONDS, SERVICE_PORT, config_variables, run

PROMETHEUS = DEPLOY / "prometheus"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, f"expected a duration in seconds, got {duration!r}"
    return int(match.group(1))


def test_compose_has_the_service_and_prometheus(compose):
    assert set(compose["services"]) == {"binsr", "prometheus"}
    binsr = compose["services"]["binsr"]
    assert binsr["build"] == {"context": "..", "dockerfile": "Dockerfile"}
    assert (DEPLOY / binsr["build"]["context"] / binsr["build"]["dockerfile"]).is_file()
    assert f"{SERVICE_PORT}:{SERVICE_PORT}" in binsr["ports"]


def test_compose_stops_gracefully_and_runs_hardened(compose):
    binsr = compose["services"]["binsr"]
    assert binsr["stop_signal"] == "SIGTERM"
    assert int(binsr["environment"]["BINSR_SHUTDOWN_GRACE_SECONDS"]) == DRAIN_SECONDS
    assert seconds(binsr["stop_grace_period"]) > DRAIN_SECONDS
    assert int(binsr["environment"]["BINSR_WORKERS"]) == binsr["cpus"]
    assert int(binsr["environment"]["BINSR_MAX_INPUT_PIXELS"]) == 1024 * 1024
    assert binsr["read_only"] is True and binsr["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in binsr["security_opt"]
    assert binsr["healthcheck"]["test"] == ["CMD", "/usr/local/bin/binsr-healthcheck"]


def test_every_binsr_variable_compose_sets_is_a_config_setting(compose):
    variables = set(compose["services"]["binsr"]["environment"])
    assert variables <= config_variables(), sorted(variables - config_variables())


def test_prometheus_mounts_existing_files_and_waits_for_a_healthy_service(compose):
    prometheus = compose["services"]["prometheus"]
    for volume in prometheus["volumes"]:
        source, target, mode = volume.split(":")
        assert (DEPLOY / source).is_file(), source
        assert mode == "ro" and target.startswith("/etc/prometheus/")
    assert prometheus["depends_on"]["binsr"]["condition"] == "service_healthy"


def test_prometheus_scrapes_the_compose_service_metrics_endpoint(compose):
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["binsr"]["metrics_path"] == "/metrics"
    targets = [t for group in jobs["binsr"]["static_configs"] for t in group["targets"]]
    assert targets == [f"binsr:{SERVICE_PORT}"]  # the compose service name and its container port
    assert config["rule_files"] == ["alerts.yml"]


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool not installed (Debian package prometheus, scripts/packages/deploy.test.apt)")
    return found


def test_promtool_accepts_the_config_and_rules():
    result = run([promtool(), "check", "config", str(PROMETHEUS / "prometheus.yml")])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 6 rules found" in result.stdout + result.stderr


def test_alert_rules_pass_their_unit_tests():
    result = run([promtool(), "test", "rules", "alerts.test.yml"], cwd=PROMETHEUS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rejects_a_broken_rule(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: rate(up[5m]\n")
    result = run([promtool(), "check", "rules", str(broken)])
    assert result.returncode != 0
