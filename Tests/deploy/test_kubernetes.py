"""The Kubernetes manifests (deploy/kubernetes): rendered by kustomize, valid against the Kubernetes API schemas,
and consistent with each other, with the image and with the service's shutdown contract."""

import json
import shutil

import kubernetes_validate
import pytest
from deploy_support import (DRAIN_SECONDS, KUBERNETES, PRESTOP_SECONDS, ROOT, SERVICE_PORT, SERVICE_UID, by_kind,
                      config_variables, environment_name, kustomize)

# The newest API the validator bundles, and an older one still in wide use (1.30: the oldest release whose
# schemas we promise, see docs/deploy.md).
KUBERNETES_VERSIONS = ["1.37.0", "1.30.0"]
# `binsr upscale --stats` of a 1024x1024 input at x4 in the image (binary SRResNet, fp32): peak RSS 932.4 MiB.
MEASURED_INPUT_PIXELS = 1024 * 1024
MEASURED_PEAK_MIB = 933
SETUPS = {"default": KUBERNETES, "queue-depth": KUBERNETES / "overlays" / "queue-depth"}


@pytest.fixture(scope="module", params=sorted(SETUPS))
def rendered(request) -> list[dict]:
    return kustomize(SETUPS[request.param])


@pytest.fixture(scope="module")
def default() -> list[dict]:
    return kustomize(KUBERNETES)


def container(resources: list[dict]) -> dict:
    return by_kind(resources, "Deployment")["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_rendered_resource_is_valid_against_the_strict_schema(rendered, version):
    kinds = sorted(r["kind"] for r in rendered)
    assert kinds == ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"]
    for resource in rendered:
        # strict: unknown fields (a typo such as `readinesProbe`) are errors, not silently ignored.
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_validator_rejects_a_misspelt_field_and_a_wrong_type(default):
    deployment = json.loads(json.dumps(by_kind(default, "Deployment")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, "1.37.0", strict=True)
    deployment = json.loads(json.dumps(by_kind(default, "Deployment")))
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, "1.37.0", strict=True)


def test_probes_use_the_service_health_endpoints_on_the_named_port(default):
    c = container(default)
    assert c["ports"] == [{"name": "http", "containerPort": SERVICE_PORT, "protocol": "TCP"}]
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert c["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["args"][:3] == ["serve", "--config", "config/binsr.json"]
    assert c["args"][c["args"].index("--port") + 1] == str(SERVICE_PORT)


def test_pod_runs_non_root_read_only_without_capabilities(default):
    pod = by_kind(default, "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == SERVICE_UID
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    security = container(default)["securityContext"]
    assert security == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]}}


def test_resources_are_bounded_and_cover_two_workers_at_the_measured_peak(default):
    resources = container(default)["resources"]
    assert set(resources) == {"requests", "limits"}
    assert resources["requests"] == resources["limits"]  # Guaranteed QoS
    memory = resources["limits"]["memory"]
    assert memory.endswith("Mi") and int(memory[:-2]) >= 2 * MEASURED_PEAK_MIB + 512  # + weights, queue, runtime
    assert resources["limits"]["cpu"] == "2"


def test_grace_period_outlasts_prestop_plus_drain_deadline(default):
    pod = by_kind(default, "Deployment")["spec"]["template"]["spec"]
    c = pod["containers"][0]
    drain = {e["name"]: e["value"] for e in c["env"]}["BINSR_SHUTDOWN_GRACE_SECONDS"]
    assert int(drain) == DRAIN_SECONDS
    assert c["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", str(PRESTOP_SECONDS)]
    assert pod["terminationGracePeriodSeconds"] > PRESTOP_SECONDS + DRAIN_SECONDS


def test_service_pdb_and_spread_select_exactly_the_deployment_pods(rendered):
    deployment = by_kind(rendered, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selectors = [deployment["spec"]["selector"]["matchLabels"],
                 by_kind(rendered, "Service")["spec"]["selector"],
                 by_kind(rendered, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"]]
    for selector in selectors:
        assert selector, "an empty selector would select every pod in the namespace"
        assert selector.items() <= pod_labels.items()
    spread = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"][0]["labelSelector"]["matchLabels"]
    assert spread.items() <= pod_labels.items()
    assert by_kind(rendered, "Service")["spec"]["ports"][0]["targetPort"] == "http"


def test_pdb_leaves_a_pod_serving_at_the_hpa_minimum(rendered):
    hpa = by_kind(rendered, "HorizontalPodAutoscaler")["spec"]
    pdb = by_kind(rendered, "PodDisruptionBudget")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "binsr"}
    assert hpa["minReplicas"] - pdb["maxUnavailable"] >= 1
    assert hpa["maxReplicas"] > hpa["minReplicas"]


def test_queue_depth_overlay_adds_the_custom_metric_and_keeps_cpu():
    hpa = by_kind(kustomize(SETUPS["queue-depth"]), "HorizontalPodAutoscaler")["spec"]
    assert [m["type"] for m in hpa["metrics"]] == ["Resource", "Pods"]
    assert hpa["metrics"][1]["pods"]["metric"]["name"] == "binsr_queue_depth"
    assert hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300  # the base's behaviour is kept
    default_hpa = by_kind(kustomize(KUBERNETES), "HorizontalPodAutoscaler")["spec"]
    assert [m["type"] for m in default_hpa["metrics"]] == ["Resource"]


def test_configmap_is_mounted_where_the_service_reads_its_config(default):
    configmap = by_kind(default, "ConfigMap")
    pod = by_kind(default, "Deployment")["spec"]["template"]["spec"]
    volume = next(v for v in pod["volumes"] if v["name"] == "config")
    assert volume["configMap"]["name"] == configmap["metadata"]["name"]  # the hashed name: a change rolls pods
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "config")
    assert mount["mountPath"] == "/app/config" and mount["readOnly"] is True


def test_environment_name_follows_the_service_rule():
    assert environment_name("http.maxBodyBytes") == "BINSR_HTTP_MAX_BODY_BYTES"
    assert environment_name("shutdownGraceSeconds") == "BINSR_SHUTDOWN_GRACE_SECONDS"


def test_every_binsr_variable_set_by_the_deployment_is_a_config_setting(default):
    known = config_variables()
    env = {e["name"]: e["value"] for e in container(default)["env"]}
    assert set(env) <= known, sorted(set(env) - known)
    # The worker pool matches the CPUs the pod may use; inputs are capped at the size the memory is sized for.
    assert env["BINSR_WORKERS"] == container(default)["resources"]["limits"]["cpu"]
    assert int(env["BINSR_MAX_INPUT_PIXELS"]) == MEASURED_INPUT_PIXELS


def test_configmap_holds_the_repository_config(default):
    repo_config = ROOT / "config"
    if not (repo_config / "binsr.json").exists():
        pytest.skip("config/binsr.json not in this tree yet (the service lands it)")
    data = by_kind(default, "ConfigMap")["data"]
    # Every file of config/ (the mount hides the image's copy), with the same content.
    assert sorted(data) == sorted(p.name for p in repo_config.iterdir() if p.is_file())
    for name, text in data.items():
        assert json.loads(text) == json.loads((repo_config / name).read_text()), name


# The production overlay (base + API keys + metrics port + Ingress with TLS). Its Secret is generated from a
# git-ignored key file, so it is rendered from a copy of deploy/kubernetes with a test key written into the copy.
TEST_KEY = "deploy-test-key-0123456789abcdef"


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> list[dict]:
    copy = tmp_path_factory.mktemp("kubernetes") / "kubernetes"
    shutil.copytree(KUBERNETES, copy, ignore=shutil.ignore_patterns("api-keys.txt"))
    (copy / "components" / "api-keys" / "api-keys.txt").write_text(f"# test key\n{TEST_KEY}\n")
    return kustomize(copy / "overlays" / "production")


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_production_overlay_is_valid_against_the_strict_schema(production, version):
    kinds = sorted(r["kind"] for r in production)
    assert kinds == ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Ingress", "PodDisruptionBudget", "Secret",
                     "Service"]
    for resource in production:
        kubernetes_validate.validate(resource, version, strict=True)


def test_production_reads_the_api_keys_from_the_secret_as_a_file(production):
    import base64

    secret = by_kind(production, "Secret")
    assert base64.b64decode(secret["data"]["keys"]).decode().splitlines()[-1] == TEST_KEY
    pod = by_kind(production, "Deployment")["spec"]["template"]["spec"]
    volume = next(v for v in pod["volumes"] if v["name"] == "api-keys")
    assert volume["secret"]["secretName"] == secret["metadata"]["name"]  # hashed: new keys roll the pods
    assert "optional" not in volume["secret"], "a missing Secret must keep the pod from starting, not open the API"
    env = {e["name"]: e["value"] for e in container(production)["env"]}
    mount = next(m for m in container(production)["volumeMounts"] if m["name"] == "api-keys")
    assert mount["readOnly"] is True
    assert env["BINSR_AUTH_API_KEY_FILE"] == mount["mountPath"] + "/keys"
    assert set(env) <= config_variables(), sorted(set(env) - config_variables())
    assert "BINSR_AUTH_API_KEYS" not in env, "keys come from the Secret, never from the manifest"


def test_production_serves_metrics_on_their_own_port_off_the_ingress(production):
    c = container(production)
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    env = {e["name"]: e["value"] for e in c["env"]}
    assert int(env["BINSR_METRICS_PORT"]) == ports["metrics"] != ports["http"] == SERVICE_PORT
    annotations = by_kind(production, "Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(ports["metrics"])
    assert [p["targetPort"] for p in by_kind(production, "Service")["spec"]["ports"]] == ["http"]


def test_production_terminates_tls_at_the_ingress_in_front_of_the_service(production):
    ingress = by_kind(production, "Ingress")
    service = by_kind(production, "Service")
    tls_hosts = {host for entry in ingress["spec"]["tls"] for host in entry["hosts"]}
    for rule in ingress["spec"]["rules"]:
        assert rule["host"] in tls_hosts, "every host is served over HTTPS"
        for path in rule["http"]["paths"]:
            assert path["backend"]["service"] == {"name": service["metadata"]["name"], "port": {"name": "http"}}
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
    body_limit = json.loads((ROOT / "config" / "binsr.json").read_text())["http"]["maxBodyBytes"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == f"{body_limit // (1024 * 1024)}m"


def test_no_key_file_is_in_the_repository():
    assert not list(KUBERNETES.rglob("api-keys.txt")) or "api-keys.txt" in (ROOT / ".gitignore").read_text()
