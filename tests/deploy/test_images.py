"""Each service's image, minus the container: its exact package list (requirements/images/<service>.txt,
the file deploy/docker/Dockerfile installs with --no-deps) goes into a fresh virtualenv with the
service, atende-core and atende-events, and the whole platform runs from those virtualenvs on real
Kafka, Redis and the MongoDB-wire server until a customer's message is answered. A package the image
lacks fails here, not in production."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from atende_testing import free_port
from atende_testing.platform import PROGRAMS, SERVICES, Platform

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".venv" / "bin" / "uv"
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"


def _run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(  # noqa: S603 - our own tools, fixed arguments
        [str(c) for c in command], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{' '.join(map(str, command))}\n{done.stdout}\n{done.stderr}"


def install_image(service: str, target: Path) -> Path:
    """What the Dockerfile's build stage does, into `target`; its bin folder."""
    _run(sys.executable, "-m", "venv", "--without-pip", target)
    python = target / "bin" / "python"
    _run(UV, "pip", "install", "--quiet", "--python", python, "--no-deps", "-r", f"requirements/images/{service}.txt")
    _run(UV, "pip", "install", "--quiet", "--python", python, "--no-deps",
         "./libs/atende-core", "./libs/atende-events", f"./services/{service}")  # fmt: skip
    _run(UV, "pip", "check", "--quiet", "--python", python)  # every declared dependency is there
    return target / "bin"


def test_the_dockerfile_installs_the_tested_list_without_dependencies_and_runs_unprivileged() -> None:
    text = DOCKERFILE.read_text()
    assert "COPY requirements/images/${SERVICE}.txt /tmp/requirements.txt" in text
    assert "pip install --no-deps -r /tmp/requirements.txt" in text
    assert "USER 10001:10001" in text
    assert "HEALTHCHECK" in text
    assert "requirements/dev" not in text  # no development tools in an image
    for program in SERVICES:
        assert (ROOT / "requirements" / "images" / f"{program.name}.txt").is_file(), program.name


def test_the_image_lists_match_a_fresh_resolution_of_the_pyprojects_and_constraints() -> None:
    _run(sys.executable, "scripts/image_requirements.py", "--check")


@pytest.fixture(scope="module")
def image_bins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("images")
    return {program.name: install_image(program.name, root / program.name) for program in SERVICES}


@pytest.fixture
def platform(
    image_bins: dict[str, Path], tmp_path: Path, kafka_bootstrap_servers: str, redis_url: str, mongodb_uri: str
) -> Iterator[Platform]:
    infra = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
        "REDIS_URL": redis_url,
        "MONGODB_URI": mongodb_uri,
        "MONGODB_DATABASE": f"test_{uuid.uuid4().hex[:12]}",
        "KAFKA_TOPIC_PREFIX": f"t{uuid.uuid4().hex[:10]}.",
        "LOG_LEVEL": "WARNING",
        # What the chart mounts as a volume: the image's own filesystem is read-only.
        "NLU_MODEL_PATH": str(tmp_path / "nlu" / "nlu-model.joblib"),
        "NLU_FEEDBACK_PATH": str(tmp_path / "nlu" / "feedback.jsonl"),
    }
    ports = {name: free_port() for name in PROGRAMS}
    internal = {p.name: free_port() for p in PROGRAMS.values() if p.internal_port_variable}
    running = Platform(
        root=ROOT, log_dir=tmp_path / "logs", infra_env=infra, ports=ports, internal_ports=internal, bins=image_bins
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_every_service_runs_from_its_image_packages_and_answers_a_customer(
    platform: Platform, image_bins: dict[str, Path], tmp_path: Path
) -> None:
    not_ready = platform.wait_ready(timeout=240)
    logs = {n: (tmp_path / "logs" / f"{n}.log").read_text(errors="replace")[-2000:] for n in not_ready}
    assert not not_ready, logs

    # The image's HEALTHCHECK command, from the gateway's image packages, against its health port.
    health = {"ATENDE_HEALTH_URL": platform.internal_url("gateway") + "/healthz"}
    _run(image_bins["gateway"] / "python", "-m", "atende_core.healthcheck", env=health)

    phone = "5511987650042"
    with httpx.Client(base_url=platform.url("whatsapp-sim"), timeout=10) as sim:
        sent = sim.post("/_sim/inbound", json={"from": phone, "name": "Maria Souza", "text": "oi"})
        assert sent.json()["gateway_status"] == 200, sent.text
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            calls = sim.get("/_sim/requests", params={"phone": phone}).json()["requests"]
            if any(c["path"].endswith("/messages") and c["body"].get("type") not in (None, "read") for c in calls):
                return
            time.sleep(0.5)
    raise AssertionError(f"the bot never answered; logs in {tmp_path / 'logs'}")
