"""The metric names that the autoscaler, the adapter rule and the alerts read must be names the service exports:
a renamed metric would otherwise silently stop the scaling and the alerts. Checked against the service's sources
(deploy/container-test.sh checks the live /metrics)."""

import re

import pytest
import yaml
from deploy_support import DEPLOY, KUBERNETES, ROOT

SERVICE_SOURCES = ROOT / "Sources" / "UpscaleService"


def referenced_names() -> set[str]:
    """binsr_* metric names used in the alert rules, the adapter rule and the queue-depth HPA patch."""
    texts = [(DEPLOY / "prometheus" / "alerts.yml").read_text(),
             (KUBERNETES / "components" / "queue-depth" / "prometheus-adapter-rules.yaml").read_text(),
             (KUBERNETES / "components" / "queue-depth" / "hpa-queue-depth.yaml").read_text()]
    names = set()
    for text in texts:
        names |= set(re.findall(r"\bbinsr_[a-z_]+", text))
    # Prometheus adds _bucket/_count/_sum to a histogram's series; the service registers the base name.
    return {re.sub(r"_(bucket|count|sum)$", "", n) for n in names}


def test_the_deployment_reads_the_expected_metrics():
    assert referenced_names() == {
        "binsr_queue_depth", "binsr_http_requests_total", "binsr_http_request_duration_seconds",
        "binsr_http_connections_shed_total", "binsr_http_connections",
    }
    rules = yaml.safe_load((KUBERNETES / "components" / "queue-depth" / "prometheus-adapter-rules.yaml").read_text())
    assert rules["rules"][0]["name"]["as"] == "binsr_queue_depth"


def registered_names(sources: str) -> set[str]:
    """Names the service registers: literal "binsr_..." strings, and swift-prometheus descriptors built as
    `name("metric", "unit", ...)` with the namespace binsr (MetricNameDescriptor joins them with underscores)."""
    names = set(re.findall(r'"(binsr_[a-z_]+)"', sources))
    for metric, unit in re.findall(r'\bname\(\s*"([a-z_]+)",\s*"([a-z_]*)"', sources):
        names.add("_".join(part for part in ("binsr", metric, unit) if part))
    return names


def test_registered_names_follow_the_descriptor_convention():
    sample = 'Self.name("http_requests", "total", "HTTP requests.")\nSelf.name("queue_depth", "", "Waiting.")'
    assert registered_names(sample) == {"binsr_http_requests_total", "binsr_queue_depth"}


def test_the_service_exports_every_metric_the_deployment_reads():
    sources = "\n".join(p.read_text() for p in SERVICE_SOURCES.rglob("*.swift"))
    if "Metrics" not in sources and "Prometheus" not in sources:
        pytest.skip("the service's metrics are not in this tree yet")
    missing = sorted(referenced_names() - registered_names(sources))
    assert not missing, f"not registered in Sources/UpscaleService: {missing}"
