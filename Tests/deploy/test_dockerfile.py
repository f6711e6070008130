"""The Dockerfile and .dockerignore: hadolint-clean, the stages and runtime settings the deployment relies on, and a
build context that holds the sources but not build outputs, training data or virtual environments."""

import re
import shlex

import pytest
import yaml
from deploy_support import (DEPLOY, DRAIN_SECONDS, ROOT, SERVICE_PORT, SERVICE_UID, by_kind, config_variables, kustomize,
                            run, tool)

DOCKERFILES = [ROOT / "Dockerfile", DEPLOY / "images" / "swift-bookworm.Containerfile"]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs of a Dockerfile, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n(\s*#[^\n]*\n)*", " ", text)
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def stages(text: str) -> dict[str, list[tuple[str, str]]]:
    """Instructions per build stage, keyed by the stage name of its FROM ... AS name."""
    result, current = {}, None
    for keyword, args in instructions(text):
        if keyword == "FROM":
            current = args.split()[-1]
            result[current] = []
        elif current is not None:
            result[current].append((keyword, args))
    return result


def dockerignore_excludes(path: str) -> bool:
    """Whether the build context leaves out `path`, by Docker's rules: patterns are matched against the path and each
    of its parent folders, `**` spans folders, and the last matching pattern wins (`!` re-includes)."""
    excluded = False
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
        regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        parts = path.split("/")
        candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        if any(re.fullmatch(regex, c) for c in candidates):
            excluded = not negate
    return excluded


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_hadolint_finds_nothing(dockerfile):
    result = run([tool("hadolint"), "--no-color", str(dockerfile)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_report_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian\nRUN apt-get update\nRUN apt-get install curl\n")
    result = run([tool("hadolint"), "--no-color", str(bad)])
    assert result.returncode != 0
    for rule in ("DL3006", "DL3008", "DL3014"):  # untagged image, unpinned packages, no -y
        assert rule in result.stdout


def test_build_stage_compiles_release_and_runtime_stage_copies_only_the_binary():
    named = stages((ROOT / "Dockerfile").read_text())
    assert list(named) == ["build", "runtime"]  # the last stage is the image
    build_runs = " ".join(args for keyword, args in named["build"] if keyword == "RUN")
    assert "swift build -c release" in build_runs and "--static-swift-stdlib" in build_runs
    copies = [args for keyword, args in named["runtime"] if keyword == "COPY"]
    assert copies[0] == "--from=build /out/binsr /usr/local/bin/binsr"
    assert "./config/" in " ".join(copies) and "./models/" in " ".join(copies)


# The Debian 12 package that holds the shared library of each -dev package (its Depends line).
RUNTIME_PACKAGE = {"libpng-dev": "libpng16-16", "libjpeg62-turbo-dev": "libjpeg62-turbo", "libwebp-dev": "libwebp7",
                   "zlib1g-dev": "zlib1g", "libdnnl-dev": "libdnnl2", "libsqlite3-dev": "libsqlite3-0"}


def installs(stage: list[tuple[str, str]], package: str) -> bool:
    text = " ".join(args for keyword, args in stage if keyword == "RUN")
    return re.search(rf"(^|\s){re.escape(package)}(\s|$)", text) is not None


def package_apt_providers() -> set[str]:
    """The apt packages Package.swift's system-library targets name (`providers: [.apt([...])]`)."""
    text = (ROOT / "Package.swift").read_text()
    return {name for group in re.findall(r"\.apt\(\[([^\]]*)\]\)", text) for name in re.findall(r'"([^"]+)"', group)}


def test_build_stage_installs_every_c_library_package_swift_needs():
    build = stages((ROOT / "Dockerfile").read_text())["build"]
    providers = package_apt_providers()
    assert {"libpng-dev", "libdnnl-dev"} <= providers
    missing = sorted(p for p in providers | {"zlib1g-dev"} if not installs(build, p))
    assert not missing, f"the build stage does not install {missing}"


def test_runtime_installs_each_library_the_build_links_and_no_development_packages():
    runtime = stages((ROOT / "Dockerfile").read_text())["runtime"]
    for dev in sorted(package_apt_providers() | {"zlib1g-dev"}):
        assert dev in RUNTIME_PACKAGE, f"{dev}: add its runtime package to RUNTIME_PACKAGE and to the Dockerfile"
        assert installs(runtime, RUNTIME_PACKAGE[dev]), RUNTIME_PACKAGE[dev]
    assert installs(runtime, "tini")
    installed = " ".join(args for keyword, args in runtime if keyword == "RUN")
    assert "-dev" not in installed and "swift" not in installed


def test_runtime_settings_match_the_kubernetes_deployment():
    stage = stages((ROOT / "Dockerfile").read_text())["runtime"]
    runtime = dict(stage)
    env = dict(args.split("=", 1) for keyword, args in stage if keyword == "ENV")
    assert runtime["USER"] == f"{SERVICE_UID}:{SERVICE_UID}"  # numeric, for runAsNonRoot
    assert runtime["EXPOSE"] == str(SERVICE_PORT)
    assert runtime["STOPSIGNAL"] == "SIGTERM"
    assert env["BINSR_SHUTDOWN_GRACE_SECONDS"] == str(DRAIN_SECONDS)
    assert "BINSR_SHUTDOWN_GRACE_SECONDS" in config_variables()
    assert "/usr/local/bin/binsr-healthcheck" in runtime["HEALTHCHECK"]
    entrypoint = shlex.split(runtime["ENTRYPOINT"].strip("[]").replace(",", " "))
    assert entrypoint == ["/usr/bin/tini", "--", "/usr/local/bin/binsr"]
    cmd = shlex.split(runtime["CMD"].strip("[]").replace(",", " "))
    deployment = by_kind(kustomize(DEPLOY / "kubernetes"), "Deployment")
    assert cmd == deployment["spec"]["template"]["spec"]["containers"][0]["args"]


@pytest.mark.parametrize("path", [
    ".build/release/binsr", ".build/x86_64-unknown-linux-gnu/debug/binsr.swiftmodule", ".build-eval/x",
    "Sources/.build/x", ".venv/bin/python", "training/runs/ckpt.pt", "training/data/div2k/0001.png",
    "runs/x.log", ".git/HEAD", "Tests/Fixtures/codecs/a.png", "docs/deploy.md", "models/x.pt",
    "models/srresnet_binary_x4.train.safetensors",  # optimiser state for resuming training, not for serving
])
def test_dockerignore_leaves_out(path):
    assert dockerignore_excludes(path)


@pytest.mark.parametrize("path", [
    "Package.swift", "Sources/binsr/Binsr.swift", "Tests/TestSupport/TestPaths.swift", "config/binsr.json",
    "models/srresnet_binary_x4.safetensors", "deploy/healthcheck.sh", "web/index.html", "web/samples/coffee.png",
])
def test_dockerignore_keeps(path):
    assert not dockerignore_excludes(path)


def test_the_study_database_goes_to_a_volume_everywhere_the_root_is_read_only():
    stage = stages((ROOT / "Dockerfile").read_text())["runtime"]
    env = dict(args.split("=", 1) for keyword, args in stage if keyword == "ENV")
    folder = env["BINSR_STUDY_DATA_DIRECTORY"].rsplit("/", 1)[0]  # the service creates the last component
    assert any(f"install -d -o {SERVICE_UID} -g {SERVICE_UID}" in args and folder in args for _, args in stage)
    pod = by_kind(kustomize(DEPLOY / "kubernetes"), "Deployment")["spec"]["template"]["spec"]
    mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
    assert folder in mounts and "emptyDir" in next(v for v in pod["volumes"] if v["name"] == mounts[folder])
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert f"study:{folder}" in compose["services"]["binsr"]["volumes"] and "study" in compose["volumes"]


def test_every_copied_path_is_in_the_build_context():
    for keyword, args in instructions((ROOT / "Dockerfile").read_text()):
        if keyword == "COPY" and not args.startswith("--from"):
            source = args.split()[0].rstrip("/")
            path = source if (ROOT / source).is_file() else source + "/any-file"
            assert not dockerignore_excludes(path), source
